"""A projection brought up to date with the writes since it was built equals one
read afresh from the store, write after write (on every store), and a write that
keeps no change (the bulk path) makes it read the graph again."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import numpy as np
import pytest

from cascade import projection as projections
from cascade.projection import Projection, build
from graph.model import (
    Adoption,
    Finding,
    FindingStatus,
    GraphBatch,
    PassOn,
    Recognition,
    Severity,
    Share,
    Sourcing,
)
from graph.store import Mutation, MutationRecord, Removals
from tests.cascade import canonical
from tests.cascade.scenario import DAY, audit, scenario
from tests.factories import org

# Small writes of every kind the projection holds, in an order that exercises the
# awkward cases: ids that sort before all others (every position moves), a pass-on
# along a pair with no edge yet (it counts once the edge comes), findings opened,
# closed and reopened, an audit moved to a scheme nobody has used, and edges removed
# one commodity at a time.
WRITES: list[tuple[str, object]] = [
    ("write", GraphBatch(organisations=[org("N1")], sourcing=[Sourcing("C", "N1", "cocoa")])),
    ("write", GraphBatch(pass_on=[PassOn("C", "N1", "R1")], adoptions=[Adoption("N1", "R1")])),
    (
        "write",
        GraphBatch(organisations=[org("0-FIRST")], sourcing=[Sourcing("M1", "0-FIRST", "cocoa")]),
    ),
    ("write", GraphBatch(pass_on=[PassOn("G", "E", "R1"), PassOn("G", "E", "R2")])),
    ("write", GraphBatch(sourcing=[Sourcing("G", "E", "cocoa")])),
    ("write", GraphBatch(organisations=[org("M2", "supplier")])),  # a kind changes
    (
        "write",
        GraphBatch(
            audits=[audit("0-a", "N1", by="M1"), audit("n2", "0-FIRST", to_all=True)],
            findings=[
                Finding("fn", "0-a", Severity.MAJOR, FindingStatus.OPEN, "wages", DAY),
                Finding("fe", "e1", Severity.CRITICAL, FindingStatus.CLOSED, "child labour"),
            ],
            shares=[Share("0-a", "M2"), Share("g1", "M1")],  # g1's share again
        ),
    ),
    (
        "write",
        GraphBatch(
            audits=[audit("d1", "D", scheme="RBA", until=DAY + timedelta(days=400))],
            findings=[
                Finding("fe", "e1", Severity.CRITICAL, FindingStatus.OPEN, "child labour", DAY),
                Finding("fn", "0-a", Severity.MAJOR, FindingStatus.CLOSED, "wages", DAY),
            ],
        ),
    ),
    (
        "write",
        GraphBatch(
            organisations=[org("ZZZZ-THE-LONGEST-ID-OF-ALL")],  # sorts last, widens the ids
            sourcing=[Sourcing("G", "ZZZZ-THE-LONGEST-ID-OF-ALL", "cocoa")],
            audits=[audit("d1", "G", scheme="RBA")],  # d1 now covers G, not D
            findings=[Finding("fe", "g1", Severity.CRITICAL, FindingStatus.OPEN, "child labour")],
        ),
    ),
    ("remove", ("A", "C", "coffee")),  # A still sources cocoa from C: the edge stays
    ("remove", ("A", "C", None)),  # now it goes, and A's pass-on to C leads nowhere
    ("write", GraphBatch(sourcing=[Sourcing("A", "C", "coffee")])),  # and comes back
    # The API's writes (apply): removals, then upserts, in one change.
    ("apply", (GraphBatch(), Removals(shares=(Share("g1", "M1"),)))),  # a share goes
    ("apply", (GraphBatch(), Removals(sourcing=(("M1", "B", None),)))),  # an edge goes
    (
        "apply",  # an audit now shared with every customer, and one no longer
        (
            GraphBatch(
                audits=[audit("d1", "G", scheme="RBA", to_all=True), audit("n2", "0-FIRST")]
            ),
            Removals(),
        ),
    ),
    (
        "apply",  # a share taken back and given again in one go stays
        (GraphBatch(shares=[Share("0-a", "M2")]), Removals(shares=(Share("0-a", "M2"),))),
    ),
    (
        "apply",  # an edge replaced by one of another commodity: the pair stays linked
        (
            GraphBatch(sourcing=[Sourcing("M1", "A", "coffee")]),
            Removals(sourcing=(("M1", "A", "cocoa"),)),
        ),
    ),
    (
        "apply",  # a share and an edge removed and a share added in one change; and what
        # is not there (an edge, a share, a recognition) is no error
        (
            GraphBatch(shares=[Share("g1", "M2")]),
            Removals(
                sourcing=(("C", "D", None), ("A", "G", None)),
                shares=(Share("0-a", "M2"), Share("a1", "M2")),
                recognitions=(Recognition("M1", "SMETA"), Recognition("M1", "RBA")),
            ),
        ),
    ),
]
_IDS = itertools.count()


def assert_same(got: Projection, want: Projection) -> None:
    """Equal by id: a catch-up appends the organisations it adds, a build numbers
    them in id order (tests/cascade/canonical.py)."""
    assert got.version == want.version
    assert sorted(got.ids.tolist()) == sorted(want.ids.tolist())
    mine, theirs = canonical.by_id(got), canonical.by_id(want)
    for name in mine:
        assert mine[name] == theirs[name], name
    a, b = got.audits, want.audits
    for name in ("ids", "start", "until", "to_all", "open_critical", "earliest_due"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(np.array(a.schemes)[a.scheme], np.array(b.schemes)[b.scheme])

    def findings(x):
        return {
            f: (int(at), bool(c), int(d))
            for f, at, c, d in zip(
                x.finding_ids, x.finding_audit, x.finding_critical, x.finding_due, strict=True
            )
        }

    assert findings(a) == findings(b)


def do(store, what: str, arg) -> None:
    if what == "write":
        store.write(arg)
    elif what == "apply":
        batch, removals = arg
        n = next(_IDS)
        at = f"2026-01-01T00:00:{n:02}Z"
        record = MutationRecord(f"m{n}", "test", "M1", "sourcing", "k1", at, None, "sha", {})
        assert store.apply(Mutation(record, batch, removals)) == record
    else:
        assert store.remove_sourcing(*arg) >= 1


@pytest.fixture
def builds(monkeypatch):
    """How many times a projection was read whole from a store."""
    count = [0]

    def counted(store):
        count[0] += 1
        return build(store)

    monkeypatch.setattr(projections, "build", counted)
    return count


def test_each_write_is_taken_in_and_equals_a_fresh_read(store, builds):
    store.write(scenario())
    projections.current(store)
    bulk = getattr(store, "single_tx_rows", 1) == 0  # the neo4j-bulk variant
    for what, arg in WRITES:
        before = builds[0]
        old = projections.current(store)
        old_ids, old_kind = old.ids.copy(), old.kind.copy()
        do(store, what, arg)
        new = projections.current(store)
        assert_same(new, build(store))
        # The older snapshot never changes, and a catch-up moves no old position.
        np.testing.assert_array_equal(old.ids, old_ids)
        np.testing.assert_array_equal(old.kind, old_kind)
        if builds[0] == before:
            np.testing.assert_array_equal(new.ids[: len(old_ids)], old_ids)
            # Positions kept elsewhere (job checkpoints) are keyed by the numbering.
            assert (new.numbering == old.numbering) == (new.size == old.size)
            assert new.version == build(store).version
            assert new.numbered_version != build(store).numbered_version
        # The bulk path keeps no change: a projection after it is read whole.
        assert builds[0] == before + (1 if bulk and what == "write" else 0)


def test_several_writes_between_two_cascades_are_taken_in_together(store, builds):
    store.write(scenario())
    projections.current(store)
    for what, arg in WRITES:
        do(store, what, arg)
    assert_same(projections.current(store), build(store))
    if getattr(store, "single_tx_rows", 1) != 0:
        assert builds[0] == 1


def test_a_store_keeps_only_the_latest_changes(store, monkeypatch):
    store.write(scenario())
    first = store.graph_version()
    for i in range(3):
        store.write(GraphBatch(organisations=[org(f"X{i}")]))
    kept = store.changes_since(first)
    if getattr(store, "single_tx_rows", 1) == 0:
        assert kept is None  # bulk writes keep none
        return
    assert [c.batch.organisations[0].id for c in kept] == ["X0", "X1", "X2"]
    assert kept[-1].version == store.graph_version()
    assert store.changes_since(store.graph_version()) == []
    # A version older than every change kept: nothing to go on.
    monkeypatch.setattr("graph.sqlite_store.CHANGES_KEPT", 2)
    monkeypatch.setattr("graph.neo4j_store.CHANGES_KEPT", 2)
    store.write(GraphBatch(organisations=[org("X3")]))
    assert store.changes_since(first) is None


def test_concurrent_small_writes_chain_one_after_the_other(neo4j_store):
    """Two writers at once never both chain from the same version (a lost update
    would leave a projection that took one in without the other)."""
    store = neo4j_store
    store.write(scenario())
    projections.current(store)
    for round_ in range(10):
        start = store.graph_version()
        gate = threading.Barrier(2)

        def write(k: int, round_: int = round_, gate: threading.Barrier = gate) -> None:
            gate.wait()
            # Nothing in common but the version node (a shared node would order them).
            store.write(GraphBatch(organisations=[org(f"P{round_}-{k}")]))

        threads = [threading.Thread(target=write, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(store.changes_since(start)) == 2
        assert_same(projections.current(store), build(store))


def test_a_database_wiped_outside_tiergraph_makes_the_projection_read_it_again(neo4j_store):
    store = neo4j_store
    store.write(scenario())
    projections.current(store)
    store.driver.execute_query("MATCH (n) DETACH DELETE n")  # the version node too
    store.write(GraphBatch(organisations=[org("ONLY")]))
    fresh = projections.current(store)
    assert fresh.ids.tolist() == ["ONLY"]
    assert_same(fresh, build(store))
