"""Where an organisation id is in a projection (cascade.id_index: a dict shared along
catch-ups; cascade.id_order: the id order noted, made when asked) after random
sequences of writes, on both stores, against the naive answer: the position whose
id it is in that projection's `ids`, None for an id it does not hold, and every
position sorted by id. Older projections (still read by requests begun before a
write) keep answering for their own version, and a catch-up from an older
projection (a branch) does not leak its ids into the newer one nor take theirs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cascade import delta, id_order
from cascade import projection as projections
from cascade.projection import Projection
from graph.model import GraphBatch, Sourcing
from graph.store import GraphChange
from tests.factories import org

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("new"), st.sampled_from("0NZz"), st.integers(0, 10**6)),
        st.tuples(st.just("edge"), st.integers(0, 10**6), st.integers(0, 10**6)),
        st.tuples(st.just("again"), st.integers(0, 10**6), st.just(0)),
        st.tuples(st.just("branch"), st.integers(0, 10**6), st.just(0)),
    ),
    min_size=1,
    max_size=12,
)
_run = iter(range(10**9))  # ids unique across examples (the store is kept between them)


def naive_check(p: Projection, absent: list[str]) -> None:
    """p's answers against its own ids array, restated by hand."""
    ids = p.ids.tolist()
    where = {i: at for at, i in enumerate(ids)}
    assert len(where) == len(ids), "ids are distinct"
    for i in ids:
        assert p.position(i) == where[i]
    for i in absent:
        if i not in where:
            assert p.position(i) is None
    assert p.order.tolist() == sorted(range(len(ids)), key=ids.__getitem__)
    wanted = ids + [i for i in absent if i not in where]
    for batch in (wanted[:5], wanted):  # a few: one dict look-up each; many: a search
        found, there = p.lookup(np.array(batch, dtype=str))
        assert there.tolist() == [i in where for i in batch]
        assert [int(f) for f, t in zip(found, there, strict=True) if t] == [
            where[i] for i in batch if i in where
        ]


@pytest.mark.parametrize("noted_most", [2, id_order.NOTED_MOST])
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_positions_after_random_writes_are_the_naive_ones(engine_store, ops, noted_most):
    store = engine_store
    run = next(_run)
    first = [f"A{run}-{i}" for i in range(3)]
    store.write(GraphBatch(organisations=[org("M1", "member"), *map(org, first)]))
    projections.forget(store)
    seen = [projections.current(store)]
    known = ["M1", *first]
    branched: list[str] = []
    original = id_order.NOTED_MOST
    id_order.NOTED_MOST = noted_most  # fold the notes into a made order now and then
    try:
        for step, (op, a, b) in enumerate(ops):
            if op == "branch":  # a catch-up from an older projection, as if it were kept
                old = seen[a % len(seen)]
                new_id = f"B{run}-{step}"
                change = GraphChange(
                    f"branch-{run}-{step}", GraphBatch(organisations=[org(new_id)])
                )
                branch = delta.apply(old, [change])
                branched.append(new_id)
                naive_check(branch, known + branched)
                assert branch.position(new_id) == old.size
                continue
            if op == "new":
                new_id = f"{a}{run}-{step}"
                buyer = known[b % len(known)]
                batch = GraphBatch(
                    organisations=[org(new_id)], sourcing=[Sourcing(buyer, new_id, "cocoa")]
                )
                known.append(new_id)
            elif op == "edge":
                batch = GraphBatch(
                    sourcing=[Sourcing(known[a % len(known)], known[b % len(known)], "cocoa")]
                )
            else:
                batch = GraphBatch(organisations=[org(known[a % len(known)])])
            if batch.sourcing and batch.sourcing[0].buyer == batch.sourcing[0].seller:
                continue
            store.write(batch)
            seen.append(projections.current(store))
            for p in seen:  # every version, older ones included, answers for itself
                naive_check(p, known + branched)
            latest = seen[-1]
            assert sorted(latest.ids.tolist()) == sorted(set(projections.build(store).ids.tolist()))
    finally:
        id_order.NOTED_MOST = original
