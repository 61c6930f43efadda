"""What a read-only request reads to catch up (cascade.projection.current,
views.member.member_view) when other threads of its process move on at the same
time: a projection another thread made newer than the version the request read is
as good (no version read again, no member walked again), and a request behind
takes the changes without reading the version once more."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from access.principal import Principal, Role
from cascade import projection as projections
from cascade.projection import Projection
from graph import read_scope, whole_builds
from graph.neo4j_store import Neo4jStore
from graph.store import GraphStore
from tests.cascade.canonical import by_id
from tests.cascade.test_catch_up_not_rebuild import fresh_projection, written_elsewhere_one
from views.coverage import tier_coverage
from views.member import member_view

M1 = Principal(Role.SOURCING, "M1", "k1")


@contextmanager
def request_scope(store: GraphStore) -> Iterator[str]:
    """A read-only request's scope, its version read (what the API does first)."""
    read_scope.begin(read_only=True)
    try:
        yield read_scope.version(store)
    finally:
        read_scope.end()


def version_reads(store: GraphStore, monkeypatch) -> list[str]:
    """The store's graph_version() calls from now on (this handle's)."""
    calls: list[str] = []
    real = store.graph_version

    def counted() -> str:
        calls.append("graph_version")
        return real()

    monkeypatch.setattr(store, "graph_version", counted)
    return calls


def test_a_projection_made_newer_meanwhile_answers_without_a_version_read(pair, monkeypatch):
    behind, other = pair
    older = projections.current(behind)
    with request_scope(behind) as seen:
        assert seen == older.version
        written_elsewhere_one(other, 0)
        # another thread of the process (no request scope) catches up first
        made: list[Projection] = []
        other_thread = threading.Thread(target=lambda: made.append(projections.current(behind)))
        other_thread.start()
        other_thread.join()
        newer = made[0]
        assert newer is not older
        calls = version_reads(behind, monkeypatch)
        got = projections.current(behind)
        assert got is newer and calls == []
        assert read_scope.seen(behind) == newer.version  # the request's later reads too


def test_a_request_behind_takes_the_changes_without_reading_the_version_again(pair, monkeypatch):
    behind, other = pair
    projections.current(behind)
    written_elsewhere_one(other, 0)
    with request_scope(behind) as seen:
        calls = version_reads(behind, monkeypatch)
        got = projections.current(behind)
        assert got.version == seen
        if isinstance(behind, Neo4jStore):  # a round trip (the embedded store's: a page)
            assert calls == []
    assert by_id(got) == fresh_projection(other)


def test_a_view_carried_further_by_another_thread_is_not_walked_again(pair, monkeypatch):
    behind, other = pair
    member_view(principal=M1, store=behind)
    older = projections.current(behind)
    written_elsewhere_one(other, 0)
    newer = projections.current(behind)
    carried = member_view(principal=M1, store=behind)  # carried to the newer one
    assert carried.projection is newer
    walks = whole_builds.counts().get("member walk", 0)
    # A request that got the older projection before the other thread moved on.
    monkeypatch.setattr(projections, "current", lambda store: older)
    view = member_view(principal=M1, store=behind)
    assert view.projection is newer
    assert whole_builds.counts().get("member walk", 0) == walks
    monkeypatch.undo()
    # and what it answers is what a process that never saw the older one answers
    here = tier_coverage(principal=M1, store=behind, requirement="R1")
    assert here == tier_coverage(principal=M1, store=other, requirement="R1")
    assert here.nodes > 0


def test_a_view_carried_past_the_request_but_not_to_the_newest_is_not_walked_again(
    pair, monkeypatch
):
    behind, other = pair
    member_view(principal=M1, store=behind)
    older = projections.current(behind)
    written_elsewhere_one(other, 0)
    projections.current(behind)
    carried = member_view(principal=M1, store=behind)  # carried past the request's
    written_elsewhere_one(other, 1)
    newest = projections.current(behind)  # the process moved on; the view did not
    assert carried.projection is not newest
    walks = whole_builds.counts().get("member walk", 0)
    monkeypatch.setattr(projections, "current", lambda store: older)
    view = member_view(principal=M1, store=behind)
    assert view.projection is carried.projection
    assert whole_builds.counts().get("member walk", 0) == walks


def test_rows_answer_for_the_newer_projection_a_request_took(pair):
    """A request that took a projection newer than the version it read (another
    thread caught up meanwhile) reads its organisations at that newer version too:
    the rows of what the newer one holds are there (on Neo4j, from the row copy)."""
    behind, other = pair
    projections.current(behind)
    written_elsewhere_one(other, 0)
    with request_scope(behind):
        assert [o.id for o in behind.organisations(["N00"])] == ["N00"]
        written_elsewhere_one(other, 1)
        made: list[Projection] = []
        other_thread = threading.Thread(target=lambda: made.append(projections.current(behind)))
        other_thread.start()
        other_thread.join()
        assert projections.current(behind) is made[0]  # the newer one, taken
        assert made[0].position("N01") is not None
        assert [o.id for o in behind.organisations(["N01"])] == ["N01"]
