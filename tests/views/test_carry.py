"""A member's view carried from one graph version to the next (views.carry) gives
exactly the answers of a view walked afresh: tiers, tier coverage and cascade gaps
of every requirement, after each write of random sequences of small writes (new
suppliers, edges that shorten paths or close cycles, pass-ons, adoptions, and now
and then an edge removed, which walks again), on both stores."""

from __future__ import annotations

import random

import numpy as np
import pytest

from access.principal import Principal, Role
from cascade import projection as projections
from cascade.coverage import coverage
from cascade.engine import walked
from graph.model import Adoption, GraphBatch, PassOn, Requirement, Requires, Sourcing
from tests.factories import org
from views import carry
from views import coverage as coverage_views
from views.member import member_view

REQUIREMENTS = ("R1", "R2")
M1 = Principal(Role.SOURCING, "M1", "k1")


def network(rng: random.Random, size: int) -> GraphBatch:
    """Two members and `size` suppliers with random edges (cycles and diamonds), some
    pass-ons and adoptions; most suppliers out of M1's network at first."""
    suppliers = [f"S{i:02}" for i in range(size)]
    batch = GraphBatch(
        organisations=[org("M1", "member"), org("M2", "member"), *map(org, suppliers)],
        requirements=[Requirement(r, r) for r in REQUIREMENTS],
        requires=[Requires("M1", r) for r in REQUIREMENTS] + [Requires("M2", "R1")],
    )
    for buyer in ("M1", "M2", *suppliers[: size // 2]):
        for seller in rng.sample(suppliers, 2):
            if seller != buyer:
                batch.sourcing.append(Sourcing(buyer, seller, "cocoa"))
    for edge in rng.sample(batch.sourcing, len(batch.sourcing) // 2):
        batch.pass_on.append(PassOn(edge.buyer, edge.seller, rng.choice(REQUIREMENTS)))
    for s in rng.sample(suppliers, size // 2):
        batch.adoptions.append(Adoption(s, rng.choice(REQUIREMENTS)))
    return batch


def a_write(rng: random.Random, ids: list[str], step: int) -> GraphBatch | tuple[str, str]:
    """A random small write; a (buyer, seller) pair to remove now and then."""
    buyer, seller = rng.sample(ids, 2)
    roll = rng.random()
    if roll < 0.3:  # a new supplier, as registerSupplier writes it (ids sort anywhere)
        new = rng.choice(("0", "N", "z")) + f"-{step}"
        return GraphBatch(organisations=[org(new)], sourcing=[Sourcing(buyer, new, "cocoa")])
    if roll < 0.55:  # an edge between known organisations: may shorten paths, close cycles
        return GraphBatch(sourcing=[Sourcing(buyer, seller, "cocoa")])
    if roll < 0.75:
        return GraphBatch(pass_on=[PassOn(buyer, seller, rng.choice(REQUIREMENTS))])
    if roll < 0.93:
        return GraphBatch(adoptions=[Adoption(seller, rng.choice(REQUIREMENTS))])
    return buyer, seller


def assert_same_as_walked(store, principal: Principal = M1) -> None:
    view = member_view(principal=principal, store=store)
    projection = projections.current(store)
    fresh = walked(projection, principal.organisation)
    np.testing.assert_array_equal(view.network.tier, fresh.tier)
    assert (view.network.depth, view.network.nodes) == (fresh.depth, fresh.nodes)
    for r in view.required(store):
        want = coverage(projection, fresh, r)
        shown = coverage_views.tier_coverage(principal=principal, store=store, requirement=r)
        assert (shown.depth, shown.nodes, shown.reached) == (
            want["depth"],
            want["nodes"],
            want["reached"],
        )
        assert [(t.tier, t.nodes, t.reached) for t in shown.tiers] == [
            (t["tier"], t["nodes"], t["reached"]) for t in want["tiers"]
        ]
        assert view.coverage(r) == want


def apply_write(store, write, ids: list[str]) -> None:
    """Apply one of a_write's writes; its new organisations join `ids`."""
    if isinstance(write, tuple):
        store.remove_sourcing(*write)
    else:
        store.write(write)
        ids += [o.id for o in write.organisations]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_carried_views_answer_as_walked_ones(engine_store, seed, monkeypatch):
    store, rng = engine_store, random.Random(seed)
    store.write(network(rng, 24))
    carried = [0]
    real = carry.carried

    def counted(*args):
        carried[0] += 1
        return real(*args)

    monkeypatch.setattr(carry, "carried", counted)
    assert_same_as_walked(store)
    ids = ["M1", "M2", *(f"S{i:02}" for i in range(24))]
    for step in range(25):
        apply_write(store, a_write(rng, ids, step), ids)
        # Every other step, two writes before the next read: carried through both.
        if step % 2:
            assert_same_as_walked(store)
    assert_same_as_walked(store)
    assert carried[0] >= 5  # most steps were carried, not walked again


@pytest.mark.parametrize("seed", [4, 5])
def test_a_view_read_now_and_then_is_carried_through_every_write_since(engine_store, seed):
    """Views are carried when their member asks: M2's, read every fifth step, is
    carried through the writes since (or walked again after a removal) and answers
    as walked; M1's, read at every step, meanwhile."""
    store, rng = engine_store, random.Random(seed)
    store.write(network(rng, 24))
    m2 = Principal(Role.SOURCING, "M2", "k2")
    assert_same_as_walked(store, m2)
    ids = ["M1", "M2", *(f"S{i:02}" for i in range(24))]
    for step in range(30):
        apply_write(store, a_write(rng, ids, step), ids)
        assert_same_as_walked(store)
        if step % 5 == 4:
            assert_same_as_walked(store, m2)


def test_views_behind_hold_older_projections_up_to_a_bound(engine_store, monkeypatch):
    """Beyond PINNED_BYTES of older projections held by views not read since, those
    read longest ago are carried at once: no view then holds one."""
    from views import member

    store = engine_store
    store.write(network(random.Random(6), 24))
    m2 = Principal(Role.SOURCING, "M2", "k2")
    assert_same_as_walked(store, m2)
    assert_same_as_walked(store)
    monkeypatch.setattr(member, "PINNED_BYTES", 0)
    store.write(GraphBatch(organisations=[org("N1")], sourcing=[Sourcing("M2", "N1", "cocoa")]))
    assert_same_as_walked(store)  # M1 asks: M2's view, behind, is carried too
    views = member._kept[store]
    assert all(v.projection is projections.current(store) for v in views.values())
    assert views["M2"].network.tier[views["M2"].position("N1")] == 1
    assert_same_as_walked(store, m2)


def test_the_log_says_why_a_view_was_walked(engine_store, caplog):
    """A member's first view is walked ("first"); after an edge is taken away it cannot
    be carried and is walked again ("not carried"): an operator reading the log can
    tell the expected walk from the one a removal cost."""
    store, batch = engine_store, network(random.Random(6), 12)
    store.write(batch)
    edge = next(s for s in batch.sourcing if s.buyer == "M1")

    def reasons() -> list[str]:
        return [
            r.getMessage().split("(")[1].split(")")[0]
            for r in caplog.records
            if r.name == "tiergraph.builds" and "member walk M1 " in r.getMessage()
        ]

    with caplog.at_level("INFO", logger="tiergraph.builds"):
        member_view(principal=M1, store=store)
        assert reasons() == ["first"]
        member_view(principal=M1, store=store)
        assert reasons() == ["first"]  # the same version: the same view
        assert store.remove_sourcing(edge.buyer, edge.seller) == 1
        member_view(principal=M1, store=store)
        assert reasons() == ["first", "not carried"]
