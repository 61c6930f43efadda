"""A process behind the store takes in the writes of another process through the
kept changes, without reading the store whole (graph.whole_builds counts those
reads), and then answers what a fresh process answers; one behind by more writes
than the store keeps reads it whole again, and answers right too.

Two handles on one store stand for two processes: what a process keeps (the
projection, the matching indexes, Neo4j's row copy) is kept per handle. Real
SQLite files and a real Neo4j. A process no request reaches is kept within reach
by mutations.keeper.
"""

from __future__ import annotations

from dataclasses import replace

from cascade import projection as projections
from graph import whole_builds
from graph.model import GraphBatch, Organisation
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from mutations import keeper
from mutations.registration import facts_of, index_for, match_one
from tests.cascade.canonical import by_id
from tests.factories import chain, org
from tests.waiting import wait_for

WRITES = 12  # each a write of its own: fewer than the store keeps (graph.store.CHANGES_KEPT)


def newcomer(i: int) -> Organisation:
    return replace(org(f"N{i:02d}", country="ID"), name=f"Kebun Sejahtera Number {i}")


def written_elsewhere(other: GraphStore, writes: int) -> None:
    """`writes` writes by the other process: a new Indonesian supplier of A each."""
    for i in range(writes):
        written_elsewhere_one(other, i)


def written_elsewhere_one(other: GraphStore, i: int) -> None:
    other.write(GraphBatch(organisations=[newcomer(i)], sourcing=chain("A", f"N{i:02d}")))


def fresh_projection(store: GraphStore) -> dict[str, object]:
    return by_id(projections.build(store))


def kept_ids(store: GraphStore, country: str) -> set[str]:
    with index_for(store, country) as index:
        return set(index.position)


def test_a_process_behind_catches_up_without_reading_the_store_whole(pair):
    behind, other = pair
    projections.current(behind)
    indexed = kept_ids(behind, "ID")
    if isinstance(behind, Neo4jStore):
        behind.rows.bring_to(behind, behind.graph_version(), float("inf"))
    before = whole_builds.counts()

    written_elsewhere(other, WRITES)
    caught_up = projections.current(behind)
    now_indexed = kept_ids(behind, "ID")
    if isinstance(behind, Neo4jStore):
        behind.rows.bring_to(behind, behind.graph_version(), float("inf"))
        assert behind.rows.organisation_rows([f"N{WRITES - 1:02d}"]) == [newcomer(WRITES - 1)]

    assert whole_builds.counts() == before  # no whole read of anything
    assert by_id(caught_up) == fresh_projection(other)
    assert now_indexed == indexed | {f"N{i:02d}" for i in range(WRITES)}
    assert now_indexed == {o.id for o in other.match_candidates("ID")}
    # A registration in the process that was behind finds what the other one wrote.
    found = match_one(behind, facts_of(newcomer(3), stored=False))
    assert (found.decision, found.organisation) == ("existing", "N03")


def test_a_process_behind_by_more_than_the_store_keeps_reads_it_whole(pair, monkeypatch):
    behind, other = pair
    monkeypatch.setattr("graph.sqlite_store.CHANGES_KEPT", 2)
    monkeypatch.setattr("graph.neo4j_store.CHANGES_KEPT", 2)
    projections.current(behind)
    kept_ids(behind, "ID")
    if isinstance(behind, Neo4jStore):
        behind.rows.bring_to(behind, behind.graph_version(), float("inf"))
    before = whole_builds.counts()

    written_elsewhere(other, 4)
    rebuilt = projections.current(behind)
    now_indexed = kept_ids(behind, "ID")
    builds = {"projection": 1, "matching index": 1}
    if isinstance(behind, Neo4jStore):
        behind.rows.bring_to(behind, behind.graph_version(), float("inf"))
        assert behind.rows.organisation_rows(["N03"]) == [newcomer(3)]
        builds["row copy"] = 1

    after = whole_builds.counts()
    assert {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)} == builds
    assert by_id(rebuilt) == fresh_projection(other)
    assert now_indexed == {o.id for o in other.match_candidates("ID")}
    found = match_one(behind, facts_of(newcomer(3), stored=False))
    assert (found.decision, found.organisation) == ("existing", "N03")


def kept_everything(store: GraphStore) -> None:
    """What a served process makes before it serves (mutations.keeper.prepare)."""
    keeper.prepare(store, countries=["ID"])


def test_a_process_no_request_reaches_is_kept_within_the_changes_the_store_keeps(pair, monkeypatch):
    """Between requests the keeper takes the writes in: more writes than the store
    keeps, made elsewhere while no request came, cost no whole read."""
    behind, other = pair
    monkeypatch.setattr("graph.sqlite_store.CHANGES_KEPT", 3)
    monkeypatch.setattr("graph.neo4j_store.CHANGES_KEPT", 3)
    kept_everything(behind)
    before = whole_builds.counts()
    for i in range(12):  # four times what the store keeps, the keeper's turn every 2
        written_elsewhere_one(other, i)
        if i % 2:
            keeper.keep_up(behind)

    assert whole_builds.counts() == before
    assert projections.kept_version(behind) == other.graph_version()
    assert by_id(projections.current(behind)) == fresh_projection(other)
    assert kept_ids(behind, "ID") == {o.id for o in other.match_candidates("ID")}
    if isinstance(behind, Neo4jStore):
        assert behind.rows.version == other.graph_version()
        assert behind.rows.organisation_rows(["N11"]) == [newcomer(11)]
    assert whole_builds.counts() == before


def test_the_keeper_thread_follows_another_process_writes(pair):
    behind, other = pair
    kept_everything(behind)
    before = whole_builds.counts()
    keeping = keeper.KeepUp(behind, every=0.02).start()
    try:
        written_elsewhere(other, 3)
        wait_for(
            lambda: projections.kept_version(behind) == other.graph_version(),
            "the keeper to take the writes in",
            timeout=60,
        )
    finally:
        keeping.stop()
    assert whole_builds.counts() == before
    assert by_id(projections.current(behind)) == fresh_projection(other)
