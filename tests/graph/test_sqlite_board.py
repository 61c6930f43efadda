"""The embedded store's board (graph.sqlite_board), with real processes on one file:
a read that starts after a write committed, in any process or thread, sees it;
writers take turns on the board and do not rely on SQLite's busy handler."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from graph import sqlite_store
from graph.model import GraphBatch, Sourcing
from graph.sqlite_board import Board
from graph.sqlite_store import DB_FILE, SqliteStore
from tests.factories import org, small_network
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
PRELUDE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from graph import sqlite_store\n"
    "from graph.sqlite_store import SqliteStore\n"
    "from graph.model import *\n"
    "from tests.factories import org\n"
)


def another_process(data_dir: Path, code: str, busy_seconds: float = 60.0) -> subprocess.Popen:
    """`code` in a new Python process with `store` open on data_dir; lines to it on
    stdin, lines from it on stdout."""
    script = (
        PRELUDE
        + f"sqlite_store.BUSY_SECONDS = {busy_seconds!r}\n"
        + f"store = SqliteStore(Path({str(data_dir)!r}))\n"
        + code
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def registration(tag: str) -> GraphBatch:
    return GraphBatch(organisations=[org(tag)], sourcing=[Sourcing("S3", tag, "cocoa")])


def stored_version(data_dir: Path) -> str:
    """The version as the database holds it, read by a connection of its own."""
    with sqlite3.connect(data_dir / DB_FILE) as db:
        return db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0]


def test_each_read_after_another_processs_write_sees_it(tmp_path):
    store = SqliteStore(tmp_path)
    store.write(small_network())
    writer = another_process(
        tmp_path,
        "for line in sys.stdin:\n"
        "    store.write(GraphBatch(organisations=[org(line.strip())],"
        " sourcing=[Sourcing('S3', line.strip(), 'cocoa')]))\n"
        "    print(store.graph_version(), flush=True)\n",
    )
    assert writer.stdin is not None and writer.stdout is not None
    for i in range(25):
        before = store.graph_version()
        assert store.graph_version() == before == stored_version(tmp_path)  # kept, unchanged
        writer.stdin.write(f"W{i}\n")
        writer.stdin.flush()
        written = writer.stdout.readline().strip()  # the write has committed
        assert int(written) == int(before) + 1
        assert store.graph_version() == written
        assert store.kinds([f"W{i}"]) == {f"W{i}": org(f"W{i}").kind}
    writer.stdin.close()
    assert writer.wait(timeout=60) == 0


def test_a_read_after_another_threads_write_sees_it(tmp_path):
    store = SqliteStore(tmp_path)
    store.write(small_network())
    for i in range(10):
        before = store.graph_version()
        done = threading.Thread(target=store.write, args=(registration(f"T{i}"),))
        done.start()
        done.join()
        assert int(store.graph_version()) == int(before) + 1 == int(stored_version(tmp_path))


def test_a_writer_that_stopped_half_way_leaves_readers_reading_the_database(tmp_path):
    """A board left odd (a writer killed between its marks): nothing is trusted, so a
    write by a writer that knows no board (the sqlite3 shell) is seen too."""
    store = SqliteStore(tmp_path)
    store.write(small_network())
    version = store.graph_version()
    Board(tmp_path / DB_FILE).begin_commit()  # and never ended
    with sqlite3.connect(tmp_path / DB_FILE) as shell:
        shell.execute("UPDATE meta SET value = '99' WHERE key = 'version'")
    assert version != "99"
    assert store.graph_version() == "99"
    store.write(registration("S9"))  # the next writer makes it even again
    assert store.graph_version() == "100"
    assert store.graph_version() == stored_version(tmp_path)


def test_a_writer_waits_for_another_processs_turn_not_in_the_busy_handler(tmp_path, monkeypatch):
    """With SQLite's busy timeout at 0, a write that reached BEGIN IMMEDIATE while
    another process's transaction is open fails at once: this one waits for the
    other's turn and then lands after it."""
    monkeypatch.setattr(sqlite_store, "BUSY_SECONDS", 0.0)
    store = SqliteStore(tmp_path)
    store.write(small_network())
    holder = another_process(
        tmp_path,
        "with store._transaction() as db:\n"
        "    store._changed(db, GraphBatch())\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.readline()\n",
    )
    assert holder.stdin is not None and holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    before = int(stored_version(tmp_path))  # the holder's change is not committed yet
    failures: list[BaseException] = []

    def write() -> None:
        try:
            store.write(registration("S9"))
        except BaseException as e:  # noqa: BLE001 - reported below
            failures.append(e)

    waiting = threading.Thread(target=write)
    waiting.start()
    waiting.join(timeout=0.5)
    assert waiting.is_alive(), f"the write did not wait for the other's turn: {failures}"
    holder.stdin.write("go\n")
    holder.stdin.flush()
    assert holder.wait(timeout=60) == 0
    waiting.join(timeout=60)
    assert failures == []
    assert int(store.graph_version()) == before + 2  # the holder's, then this one
    assert store.changes_since(str(before + 1))[0].batch == registration("S9")


def test_a_writer_that_never_gets_its_turn_fails_as_locked_and_writes_nothing(
    tmp_path, monkeypatch
):
    """A write held back longer than TURN_SECONDS (a long load in another process)
    fails with SQLite's own "database is locked" instead of hanging its request."""
    monkeypatch.setattr(sqlite_store, "TURN_SECONDS", 0.3)
    store = SqliteStore(tmp_path)
    store.write(small_network())
    holder = another_process(
        tmp_path,
        "with store._transaction() as db:\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.readline()\n",
    )
    assert holder.stdin is not None and holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    before = store.graph_version()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        store.write(registration("S9"))
    holder.stdin.write("go\n")
    holder.stdin.flush()
    assert holder.wait(timeout=60) == 0
    assert store.graph_version() == before
    store.write(registration("S9"))  # its turn free again: the same write lands
    assert store.changes_since(before)[0].batch == registration("S9")


@pytest.mark.parametrize("writers", [2])
def test_writers_in_two_processes_take_turns_without_busy_waits(tmp_path, writers):
    """Busy timeout 0 in both processes: every write lands, none meets a locked
    database (each waited for its turn on the board)."""
    store = SqliteStore(tmp_path)
    store.write(small_network())
    start = int(store.graph_version())
    code = (
        "import threading\n"
        "def run(t):\n"
        "    for i in range(40):\n"
        "        store.write(GraphBatch(organisations=[org(f'{TAG}{t}-{i}')],"
        " sourcing=[Sourcing('S3', f'{TAG}{t}-{i}', 'cocoa')]))\n"
        "threads = [threading.Thread(target=run, args=(t,)) for t in range(3)]\n"
        "for t in threads: t.start()\n"
        "for t in threads: t.join()\n"
        "print(len(store.kinds([f'{TAG}{t}-{i}' for t in range(3) for i in range(40)])),"
        " flush=True)\n"
    )
    procs = [
        another_process(tmp_path, f"TAG = {tag!r}\n" + code, busy_seconds=0.0)
        for tag in "AB"[:writers]
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "120"
        assert proc.wait(timeout=120) == 0
    assert int(store.graph_version()) == start + 120 * writers
    assert len(store.changes_since(str(start)) or []) == 120 * writers


def test_small_writes_are_folded_into_the_database_file_outside_the_writing_thread(tmp_path):
    """SQLite's own checkpoint waits for a much larger WAL; the store's checkpoints
    (after each CHECKPOINT_ROWS rows a process commits) put the rows in the file,
    run by a thread of their own (graph.sqlite_checkpoint): the writing thread's
    connection runs none, so a write (and the writes queued behind it in a served
    process's writer thread) does not wait for its fsyncs."""
    store = SqliteStore(tmp_path)
    store.write(small_network())
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    tags = [f"F{i}" for i in range(sqlite_store.CHECKPOINT_ROWS // 2)]  # 2+ rows each
    for tag in tags:
        store.write(registration(tag))
    assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] > 1000

    def in_the_file() -> bool:
        # The file alone, read afresh each time (an immutable connection may keep what
        # it read); until a checkpoint has written the schema too, it has no table yet.
        uri = f"{(tmp_path / DB_FILE).as_uri()}?immutable=1"
        file_only = sqlite3.connect(uri, uri=True)
        try:
            query = "SELECT count(*) FROM organisation WHERE id LIKE 'F%'"
            return file_only.execute(query).fetchone()[0] > 0
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            return False
        finally:
            file_only.close()

    wait_for(in_the_file, "the checkpoint thread to fold the rows into the file", timeout=30)
    assert not [s for s in statements if "wal_checkpoint" in s]
    store.close()
