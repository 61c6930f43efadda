"""The embedded store as a database that several processes share (one SQLite file)."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from cascade import projection as projections
from graph.codec import batch_to_dict, sorted_batch
from graph.model import GraphBatch, PassOn, Sourcing
from graph.sqlite_board import BOARD_SUFFIX
from graph.sqlite_store import DB_FILE, SqliteStore
from graph.store import Mutation, MutationRecord, StoredResult
from graph.upgrade import JSON_FILE, convert_json_store
from tests.factories import org, small_network

ROOT = Path(__file__).resolve().parents[2]


def in_another_process(data_dir: Path, code: str, wait: bool = True) -> subprocess.Popen:
    """Run `code` in a new Python process with `store` open on data_dir."""
    script = (
        "from pathlib import Path\n"
        "from graph.sqlite_store import SqliteStore\n"
        "from graph.model import *\n"
        "from tests.factories import org\n"
        f"store = SqliteStore(Path({str(data_dir)!r}))\n" + code
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT)
    if wait:
        assert proc.wait(timeout=60) == 0
    return proc


def test_a_write_in_another_process_is_seen_at_the_next_read(tmp_path):
    store = SqliteStore(tmp_path)
    store.write(small_network())
    before = store.graph_version()
    in_another_process(
        tmp_path,
        "store.write(GraphBatch(organisations=[org('S9')], sourcing=[Sourcing('S3', 'S9', 'cocoa')]))",
    )
    assert store.kinds(["S9"]) == {"S9": org("S9").kind}
    assert store.sourcing_pairs([("S3", "S9")]) == {("S3", "S9")}
    assert int(store.graph_version()) == int(before) + 1


def test_a_projection_catches_up_on_another_processs_write_without_reading_the_graph(tmp_path):
    store = SqliteStore(tmp_path)
    store.write(small_network())
    kept = projections.current(store)
    in_another_process(
        tmp_path,
        "store.write(GraphBatch(organisations=[org('S9')], sourcing=[Sourcing('S3', 'S9', 'cocoa')],"
        " pass_on=[PassOn('S1', 'S2', 'R1')], adoptions=[Adoption('S2', 'R1')]))",
    )
    changes = store.changes_since(kept.version)
    assert changes is not None and len(changes) == 1
    caught_up = projections.current(store)
    assert caught_up is not kept and caught_up.position("S9") is not None
    projections.forget(store)
    fresh = projections.current(store)
    assert list(fresh.ids) == list(caught_up.ids)
    assert fresh.indptr.tolist() == caught_up.indptr.tolist()
    assert fresh.adopters["R1"].tolist() == caught_up.adopters["R1"].tolist()


def test_writers_in_two_processes_both_land(tmp_path):
    store = SqliteStore(tmp_path)
    store.write(small_network())
    start = int(store.graph_version())
    code = (
        "for i in range(30):\n"
        "    store.write(GraphBatch(organisations=[org(f'{TAG}{i}')],"
        " sourcing=[Sourcing('S1', f'{TAG}{i}', 'cocoa')]))\n"
    )
    procs = [
        in_another_process(tmp_path, f"TAG = {tag!r}\n" + code, wait=False) for tag in ("A", "B")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert int(store.graph_version()) == start + 60
    changes = store.changes_since(str(start))
    assert changes is not None and [int(c.version) for c in changes] == list(
        range(start + 1, start + 61)
    )
    assert store.counts()["suppliers"] == 3 + 60


def test_a_write_that_fails_half_way_leaves_nothing(tmp_path):
    store = SqliteStore(tmp_path)
    store.write(small_network())
    before, version = store.export(), store.graph_version()
    bad = GraphBatch(
        organisations=[org("NEW")],
        sourcing=[Sourcing("S1", "NEW", "cocoa")],
        pass_on=[PassOn("S1", "NEW", "NO-SUCH-REQUIREMENT")],
    )
    try:
        store.write(bad)
    except Exception:  # noqa: BLE001 - any refusal; what matters is what is left
        pass
    assert store.export() == before
    assert store.graph_version() == version


def test_a_writer_killed_mid_write_leaves_the_store_as_before(tmp_path):
    store = SqliteStore(tmp_path)
    store.write(small_network())
    before, version = store.export(), store.graph_version()
    big = (
        "import time\n"
        "rows = [org(f'X{i:07d}') for i in range(400_000)]\n"
        "store.write(GraphBatch(organisations=rows), progress=lambda n: print('w', flush=True))\n"
    )
    proc = in_another_process(tmp_path, big, wait=False)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        # the writer holds the write lock once it has begun: kill it then
        probe = sqlite3.connect(tmp_path / DB_FILE, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError:
            os.kill(proc.pid, signal.SIGKILL)
            break
        finally:
            probe.close()
        time.sleep(0.01)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the writer finished before it could be killed"
    again = SqliteStore(tmp_path)
    assert again.export() == before
    assert again.graph_version() == version
    assert again.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    kept = {DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm", DB_FILE + BOARD_SUFFIX}
    leftovers = {p.name for p in tmp_path.iterdir()} - kept
    assert leftovers == set()


def test_a_json_data_folder_is_converted_once(tmp_path):
    batch = small_network()
    result = StoredResult("r1", "coverage", "M1", "R1", "2026-01-01T00:00:00+00:00", {"depth": 1})
    legacy = {
        "format": 1,
        "version": 7,
        "graph": batch_to_dict(batch),
        "extra": {"results": {"r1": dataclasses.asdict(result)}},
    }
    (tmp_path / JSON_FILE).write_text(json.dumps(legacy))
    assert convert_json_store(tmp_path) is True
    store = SqliteStore(tmp_path)
    assert store.export() == sorted_batch(batch)
    assert store.results("coverage", "M1", "R1") == [result]
    assert not (tmp_path / JSON_FILE).exists()
    assert (tmp_path / (JSON_FILE + ".converted")).exists()
    assert convert_json_store(tmp_path) is False  # once


def test_saved_results_do_not_change_the_graph_version(tmp_path):
    store = SqliteStore(tmp_path)
    store.write(small_network())
    version = store.graph_version()
    store.save_results(
        [StoredResult("r", "audits", "M1", "2026-01-01", "2026-01-02T00:00:00Z", {})]
    )
    assert store.graph_version() == version


def test_clear_empties_the_graph_and_keeps_the_database(tmp_path):
    store = SqliteStore(tmp_path)
    store.write(small_network())
    identity, version = store.database_id(), store.graph_version()
    store.clear()
    assert set(store.counts().values()) == {0}
    assert store.database_id() == identity
    assert int(store.graph_version()) > int(version)
    assert store.changes_since(version) is None  # a projection must read the graph again
    store.write(GraphBatch(organisations=[org("S1")]))
    assert store.kinds(["S1"]) == {"S1": org("S1").kind}


def test_a_store_made_before_mutations_gains_their_tables_when_opened(tmp_path):
    store = SqliteStore(tmp_path)
    store.write(small_network())
    store.db.execute("DROP TABLE mutation")  # as a store.db of an earlier tiergraph
    store.db.execute("DROP TABLE match_verdict")
    store.close()
    store = SqliteStore(tmp_path)
    at = "2026-05-01T00:00:00Z"
    made = MutationRecord("m1", "adopt", "S1", "supplier", "k1", at, "i1", "0" * 64, {"ok": 1})
    assert store.apply(Mutation(made)) == made
    assert store.mutation_record("S1", "supplier", "i1") == made
    assert store.counts()["suppliers"] == 3  # the graph as it was


def test_a_server_started_before_a_load_answers_on_the_loaded_graph(tmp_path):
    """`tiergraph serve` in its own process, then `tiergraph load` in another: the
    server's next answer counts what the load wrote."""
    import httpx

    from access.keys import create_key
    from access.principal import Role
    from loaders.writers import write_csv_dir
    from tests.served import serving

    data = tmp_path / "data"
    data.mkdir()
    _, key = create_key(SqliteStore(data), role=Role.OPERATOR, organisation=None)
    auth = {"Authorization": f"Bearer {key}"}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TIERGRAPH_DATA_DIR": str(data)}
    cli = [sys.executable, "-c", "from tiergraph.cli import main; main()"]
    with serving(data) as url:

        def members() -> int:
            query = {"query": "{ stats { members } }"}
            body = httpx.post(f"{url}/graphql", json=query, headers=auth).json()
            return body["data"]["stats"]["members"]

        assert members() == 0
        write_csv_dir(small_network(), tmp_path / "net")
        env["TIERGRAPH_STORE"] = "embedded"
        subprocess.run([*cli, "load", str(tmp_path / "net")], env=env, check=True, cwd=tmp_path)
        assert members() == 2


def test_a_relative_data_folder_opens_where_the_command_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = SqliteStore(Path(".tiergraph"))  # the default TIERGRAPH_DATA_DIR
    store.write(small_network())
    store.close()
    assert (tmp_path / ".tiergraph" / DB_FILE).exists()
