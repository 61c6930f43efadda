"""The disk copy after catch-ups is written at most once every SAVE_EVERY_SECONDS by
the processes sharing the cache folder together: not while the file is younger
than that (whoever wrote it), not while another process holds the folder's write
lock; a build's copy and the copies owed at exit are not held back."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from cascade import background_save, projection_cache
from cascade import projection as projections
from graph.model import GraphBatch, Sourcing
from graph.neo4j_store import Neo4jStore
from graph.sqlite_store import SqliteStore
from tests.cascade.scenario import scenario
from tests.factories import org


@pytest.fixture
def fresh_throttle(monkeypatch):
    """This test's own record of when each store may be written again; a copy due
    after 4 changes (not 128: the same rule, fewer writes), at most once an hour (not
    a minute: a slow machine's writes take no part in the answer)."""
    monkeypatch.setattr(projections, "_throttle", background_save.Throttle())
    monkeypatch.setattr(projections, "SAVE_AFTER_CHANGES", 4)
    monkeypatch.setattr(background_save, "SAVE_EVERY_SECONDS", 3600.0)


def catch_up_through(store, writes, tag):
    """`writes` registrations, each caught up at once, as a served process does."""
    for i in range(writes):
        store.write(
            GraphBatch(organisations=[org(f"{tag}{i}")], sourcing=[Sourcing("C", f"{tag}{i}", "c")])
        )
        projections.current(store)
    return projections.current(store)


def saved_version(store, folder):
    found = projection_cache.load(folder, store.database_id())
    return None if found is None else found.version


def age(path, seconds):
    """The file as if written `seconds` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_fresh_file_is_not_rewritten_and_an_old_one_is(
    engine_store, projection_cache_dir, fresh_throttle
):
    store = engine_store
    store.write(scenario())
    built = projections.current(store)  # a build writes its copy at once
    path = projection_cache.path_for(projection_cache_dir, store.database_id())
    catch_up_through(store, projections.SAVE_AFTER_CHANGES, "Y")
    assert projections.flush_saves(60)
    assert saved_version(store, projection_cache_dir) == built.version  # under a minute old

    age(path, background_save.SAVE_EVERY_SECONDS + 5)
    projections._throttle.wait(store, 0)  # as when this process's wait has run out
    latest = catch_up_through(store, 1, "Z")
    assert projections.flush_saves(60)
    assert saved_version(store, projection_cache_dir) == latest.version


LOCK_HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()
"""


def test_no_write_while_another_process_holds_the_folder_lock(
    engine_store, projection_cache_dir, fresh_throttle
):
    store = engine_store
    store.write(scenario())
    built = projections.current(store)
    path = projection_cache.path_for(projection_cache_dir, store.database_id())
    age(path, background_save.SAVE_EVERY_SECONDS + 5)
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(projection_cache_dir / background_save.LOCK_NAME)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        catch_up_through(store, projections.SAVE_AFTER_CHANGES, "Y")
        assert projections.flush_saves(60)
        assert saved_version(store, projection_cache_dir) == built.version
    finally:
        holder.communicate("")
    projections._throttle.wait(store, 0)
    latest = catch_up_through(store, 1, "Z")
    assert projections.flush_saves(60)
    assert saved_version(store, projection_cache_dir) == latest.version


def test_the_copies_owed_are_written_at_exit_however_fresh_the_file(
    engine_store, projection_cache_dir, fresh_throttle, monkeypatch
):
    store = engine_store
    store.write(scenario())
    projections.current(store)
    latest = catch_up_through(store, 3, "Y")
    assert projections.flush_saves(60)
    monkeypatch.setattr(projections, "_exiting", True)
    projections._save_latest(store)  # what the exit hook asks of the thread
    assert saved_version(store, projection_cache_dir) == latest.version


def test_the_copies_owed_are_written_at_exit_after_the_store_closed(
    engine_store, projection_cache_dir, fresh_throttle, monkeypatch, tmp_path
):
    """A served process's store closes at shutdown before the exit hook writes what
    is owed: the copy is still written (the database's id was read before)."""
    engine_store.write(scenario())
    if isinstance(engine_store, Neo4jStore):  # its own driver, closed below
        store = Neo4jStore.connect(os.environ["TIERGRAPH_NEO4J_URI"])
    else:
        store = SqliteStore(tmp_path / "data")
    projections.current(store)
    latest = catch_up_through(store, 3, "Y")
    assert projections.flush_saves(60)
    store.close()
    monkeypatch.setattr(projections, "_exiting", True)
    projections._save_latest(store)  # what the exit hook asks of the thread
    assert saved_version(engine_store, projection_cache_dir) == latest.version
