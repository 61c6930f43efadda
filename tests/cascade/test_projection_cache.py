"""The projection kept on disk: a new process (here, a new store object on the same
database, with nothing kept in memory) starts from the file, catches up through
the writes the store kept, and gets what a fresh read gives; a file it cannot
trust is ignored and rebuilt (on every store)."""

from __future__ import annotations

import pytest

from cascade import background_save, projection_cache
from cascade import projection as projections
from cascade.projection import build
from graph.model import Adoption, GraphBatch, PassOn, Sourcing
from graph.neo4j_store import Neo4jStore
from graph.sqlite_store import SqliteStore
from tests.cascade.scenario import scenario
from tests.cascade.test_delta import WRITES, assert_same, do
from tests.factories import org


def as_new_process(store):
    """The same database opened again, nothing of it kept in this process."""
    if isinstance(store, SqliteStore):
        assert store.path is not None
        return SqliteStore(store.path.parent)
    if isinstance(store, Neo4jStore):
        return Neo4jStore(store.driver, store.database, store.single_tx_rows)
    pytest.fail(f"say here how a new process opens a {type(store).__name__} again")


def cache_file(store, folder):
    return projection_cache.path_for(folder, store.database_id())


def test_a_new_process_starts_from_the_file(store, projection_cache_dir):
    store.write(scenario())
    first = projections.current(store)
    assert "save cache" in first.build_seconds
    assert cache_file(store, projection_cache_dir).exists()
    again = as_new_process(store)
    loaded = projections.current(again)
    assert "load cache" in loaded.build_seconds and "read organisations" not in loaded.build_seconds
    assert_same(loaded, build(again))
    assert loaded.audits.schemes == first.audits.schemes


def test_a_new_process_catches_up_through_the_kept_writes(store, projection_cache_dir):
    store.write(scenario())
    projections.current(store)
    for what, arg in WRITES[:4]:
        do(store, what, arg)
    again = as_new_process(store)
    got = projections.current(again)
    if getattr(store, "single_tx_rows", None) == 0:
        # The bulk path keeps no changes: the file is too old to follow, so the
        # graph is read again.
        assert "load cache" not in got.build_seconds and "read organisations" in got.build_seconds
    else:
        assert {"load cache", "catch up"} <= set(got.build_seconds)
    assert_same(got, build(again))


def test_a_file_stale_beyond_the_kept_writes_is_rebuilt(neo4j_store, monkeypatch):
    store = neo4j_store
    store.write(scenario())
    projections.current(store)
    monkeypatch.setattr("graph.neo4j_store.CHANGES_KEPT", 2)
    for i in range(3):
        store.write(GraphBatch(organisations=[org(f"X{i}")]))
    got = projections.current(as_new_process(store))
    assert "read organisations" in got.build_seconds
    assert_same(got, build(store))


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"this is not a zip file at all"),
        lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
        lambda path: path.write_bytes(b""),
    ],
    ids=["garbage", "truncated", "empty"],
)
def test_a_damaged_file_is_ignored_and_rebuilt(store, projection_cache_dir, damage, caplog):
    store.write(scenario())
    projections.current(store)
    path = cache_file(store, projection_cache_dir)
    damage(path)
    again = as_new_process(store)
    got = projections.current(again)
    assert "read organisations" in got.build_seconds
    assert "ignoring the projection cache" in caplog.text
    assert_same(got, build(again))
    # ...and the file is whole again for the next process.
    assert "load cache" in projections.current(as_new_process(store)).build_seconds


def test_another_databases_file_is_ignored(store, projection_cache_dir):
    other = SqliteStore(projection_cache_dir.parent / "other-db")
    other.write(GraphBatch(organisations=[org("ELSEWHERE")]))
    projections.current(other)
    store.write(scenario())
    # Another database's file where this one's should be: same name, other header.
    cache_file(other, projection_cache_dir).replace(cache_file(store, projection_cache_dir))
    got = projections.current(store)
    assert "read organisations" in got.build_seconds
    assert "ELSEWHERE" not in got.ids.tolist()


def test_a_save_leaves_no_temporary_file_and_only_the_newest_files(projection_cache_dir):
    stores = [SqliteStore() for _ in range(projection_cache.FILES_KEPT + 2)]
    for s in stores:
        s.write(scenario())
        projections.current(s)
    names = sorted(p.name for p in projection_cache_dir.iterdir())
    assert len(names) == projection_cache.FILES_KEPT
    assert all(n.startswith("projection-") and n.endswith(".npz") for n in names)
    assert cache_file(stores[-1], projection_cache_dir).name in names


def test_a_catch_up_rewrites_the_file_only_every_so_many_changes(
    engine_store, projection_cache_dir, monkeypatch
):
    # Not on the Neo4j bulk path: it keeps no changes, so there is nothing to catch up through.
    # The once-a-minute limit is test_disk_copy_throttle's: off here.
    monkeypatch.setattr(background_save, "SAVE_EVERY_SECONDS", 0.0)
    store = engine_store
    store.write(scenario())
    projections.current(store)
    saved_at = store.graph_version()
    for i in range(projections.SAVE_AFTER_CHANGES - 1):
        store.write(
            GraphBatch(organisations=[org(f"Y{i}")], sourcing=[Sourcing("C", f"Y{i}", "c")])
        )
        projections.current(store)
    assert projections.flush_saves(60)
    assert projection_cache.load(projection_cache_dir, store.database_id()).version == saved_at
    store.write(GraphBatch(pass_on=[PassOn("C", "Y0", "R1")], adoptions=[Adoption("Y0", "R1")]))
    latest = projections.current(store)
    assert projections.flush_saves(60)  # written by a background thread, off the request
    assert projection_cache.load(projection_cache_dir, store.database_id()).version == (
        latest.version
    )
