"""Writes announced in Redis (graph.version_board) on the real Neo4j and the real
Redis: a read-only request checks the token instead of reading the graph version
over Bolt, and a read after a write made through another store object or another
process (announced, or not announced but within the recheck bound, or with Redis
unreachable) shows that write, as docs/api.md promises."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from access.keys import create_key
from access.principal import Role
from api.app import create_app
from graph.neo4j_store import Neo4jStore
from graph.version_board import VersionBoard
from tests.api.posting import count_version_reads, no_error_poster
from tests.api.test_read_scope import GAPS, ORGANISATION, PAGE, READS, renamed
from tests.factories import small_network
from tests.test_cli import _closed_port
from tiergraph.settings import Settings

pytestmark = [pytest.mark.neo4j, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
COMPARE_FAST_AND_PLAIN = False  # these tests count the store's version reads


class Served:
    """An app on a Neo4j store with a board; `reads` grows at each Bolt version read."""

    def __init__(self, post: Callable[[str], dict], store: Neo4jStore, reads: list[str]):
        self.post, self.store, self.reads = post, store, reads

    def name(self) -> str:
        return self.post(ORGANISATION)["organisation"]["name"]


@pytest.fixture
def serve(neo4j_store, tmp_path, monkeypatch):
    """serve(board, recheck_seconds) -> Served, on a database holding small_network."""
    monkeypatch.setenv("TIERGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    neo4j_store.write(small_network())
    _, key = create_key(neo4j_store, role=Role.SOURCING, organisation="M1")
    clients: list[TestClient] = []

    def make(board: VersionBoard, recheck_seconds: float = 3600.0) -> Served:
        store = Neo4jStore(neo4j_store.driver, board=board, recheck_seconds=recheck_seconds)
        reads = count_version_reads(store)
        app = create_app(Settings(api_rate_per_second=0), store=store)
        client = TestClient(app, headers={"Authorization": f"Bearer {key}"})
        clients.append(client.__enter__())
        return Served(no_error_poster(client), store, reads)

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def board(redis_url) -> VersionBoard:
    """A board of its own (a key no other test or server uses) on the real Redis."""
    made = VersionBoard(redis.Redis.from_url(redis_url), f"tiergraph:test:{uuid.uuid4().hex}")
    yield made
    made.client.delete(made.key, made.key + ":database", *made.client.keys(made.feed("*")))


def test_reads_without_writes_ask_redis_not_neo4j(serve, board):
    served = serve(board)
    for query in READS:  # the first read builds the projection: its own version reads
        served.post(query)
    served.reads.clear()
    for query in READS * 3:
        served.post(query)
    assert served.reads == []
    assert board.client.get(board.key) is not None  # the token the reads checked


def test_a_write_through_another_store_object_shows_at_the_next_read(serve, board, neo4j_store):
    served = serve(board)  # recheck once an hour: only the announcement can show it
    for query in READS:
        served.post(query)
    other = Neo4jStore(neo4j_store.driver, board=VersionBoard(board.client, board.key))
    other.write(renamed("Renamed One", "2026-02-01"))
    assert served.name() == "Renamed One"
    page = {n["id"]: n["name"] for n in served.post(PAGE)["network"]["nodes"]}
    assert page["S1"] == "Renamed One"
    gaps = served.post(GAPS)["auditGaps"]["nodes"]
    s1 = next(g for g in gaps if g["node"]["id"] == "S1")
    assert (s1["node"]["name"], s1["reason"]) == ("Renamed One", "EXPIRED")
    other.remove_sourcing("M1", "S1")  # a removal announces too: S1 leaves M1's network
    assert "S1" not in {n["id"] for n in served.post(PAGE)["network"]["nodes"]}


def test_a_linked_write_is_followed_from_redis_without_a_bolt_read(
    serve, board, neo4j_store, monkeypatch
):
    """A write of few rows announces its link: the reader takes its change in from
    Redis (no version read over Bolt, the projection and the row copy caught up, not
    rebuilt), and sees it in every read."""
    from graph import cypher
    from graph.neo4j_rows import CHANGES_AND

    served = serve(board)
    for query in READS:
        served.post(query)
    other = Neo4jStore(neo4j_store.driver, board=VersionBoard(board.client, board.key))
    served.reads.clear()
    other.write(renamed("Renamed Linked", "2026-02-01"))
    assert board.client.zcard(board.feed(neo4j_store.database_id())) == 1
    sent = bolt_statements(monkeypatch)  # from here on
    assert served.name() == "Renamed Linked"
    gaps = served.post(GAPS)["auditGaps"]["nodes"]
    s1 = next(g for g in gaps if g["node"]["id"] == "S1")
    assert (s1["node"]["name"], s1["reason"]) == ("Renamed Linked", "EXPIRED")
    other.remove_sourcing("M1", "S1")
    assert "S1" not in {n["id"] for n in served.post(PAGE)["network"]["nodes"]}
    version_reads = {cypher.GRAPH_VERSION, *CHANGES_AND.values()}
    assert [c for c in sent if c in version_reads] == []  # the writer's are others
    assert served.reads == []
    assert served.store.rows.builds == 1
    neo4j_store.graph_version()  # the recording works: a version read is seen
    assert sent[-1] == cypher.GRAPH_VERSION


def test_a_write_whose_link_is_missing_is_read_from_neo4j(serve, board, neo4j_store):
    """A write nobody announced, then one announced with its link: the link does not
    lead from the reader's version (a gap), so it reads Neo4j and shows both."""
    served = serve(board)
    served.post(ORGANISATION)
    served.reads.clear()
    Neo4jStore(neo4j_store.driver).write(renamed("Renamed Unannounced", "2026-02-01"))
    other = Neo4jStore(neo4j_store.driver, board=VersionBoard(board.client, board.key))
    other.remove_sourcing("M1", "S3")  # S3 stays, through S1 -> S2 -> S3: tier 3
    assert served.name() == "Renamed Unannounced"
    tiers = {n["id"]: n["tier"] for n in served.post(PAGE)["network"]["nodes"]}
    assert tiers["S3"] == 3
    assert len(served.reads) == 1


def test_a_write_through_another_process_shows_at_the_next_read(serve, redis_url):
    """The other process opens its store as every tiergraph command does
    (tiergraph.bootstrap.open_store: the board on TIERGRAPH_REDIS_URL)."""
    served = serve(VersionBoard.from_url(redis_url))
    before = served.name()
    script = (
        "from tests.api.test_read_scope import renamed\n"
        "from tiergraph.bootstrap import open_store\n"
        "from tiergraph.settings import Settings\n"
        "store = open_store(Settings())\n"
        "store.write(renamed('Renamed Elsewhere', '2026-02-01'))\n"
        "store.close()\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "TIERGRAPH_STORE": "neo4j",
        "TIERGRAPH_NEO4J_URI": os.environ["TIERGRAPH_NEO4J_URI"],  # the test database
        "TIERGRAPH_REDIS_URL": redis_url,
    }
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, timeout=120)
    assert before != "Renamed Elsewhere"
    assert served.name() == "Renamed Elsewhere"


def test_with_redis_unreachable_every_read_asks_neo4j(serve, neo4j_store):
    down = VersionBoard.from_url(f"redis://127.0.0.1:{_closed_port()}/0")
    served = serve(down)
    served.post(ORGANISATION)
    served.reads.clear()
    for query in READS:
        served.post(query)
    assert len(served.reads) == len(READS)  # one Bolt read per request, as without a board
    Neo4jStore(neo4j_store.driver, board=down).write(renamed("Renamed Down", "2026-02-01"))
    assert served.name() == "Renamed Down"


def test_a_write_nobody_announced_shows_within_the_recheck_bound(serve, board, neo4j_store):
    served = serve(board, recheck_seconds=0.5)
    served.post(ORGANISATION)
    outside = Neo4jStore(neo4j_store.driver)  # as a write made outside tiergraph
    outside.write(renamed("Renamed Outside", "2026-02-01"))
    time.sleep(0.6)  # past the bound: waiting, not timing
    assert served.name() == "Renamed Outside"


def test_a_token_lost_with_a_redis_restart_makes_readers_read_neo4j(serve, board, neo4j_store):
    served = serve(board)
    served.post(ORGANISATION)
    board.client.delete(board.key)  # what a restart without persistence leaves
    Neo4jStore(neo4j_store.driver).write(renamed("Renamed Meanwhile", "2026-02-01"))
    assert served.name() == "Renamed Meanwhile"


def bolt_statements(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Every statement this process sends over Bolt from now on (the driver's RUN
    messages, whatever session or transaction sends them), listed in order."""
    from neo4j._sync.io._bolt._base import Bolt

    sent: list[str] = []
    append = Bolt._append

    def recorded(self, signature, fields=(), *args, **kwargs):  # type: ignore[no-untyped-def]
        if signature == b"\x10" and fields:  # RUN
            sent.append(str(fields[0]))
        return append(self, signature, fields, *args, **kwargs)

    monkeypatch.setattr(Bolt, "_append", recorded)
    return sent


def test_steady_reads_make_no_bolt_round_trip(serve, board, monkeypatch, neo4j_store):
    """Organisation rows, a page's labels and an auditGaps page's audits come from the
    process's row copy (graph.neo4j_rows): nothing is asked of Neo4j but keys (sessions
    are kept per thread, graph.neo4j_sessions: the statements are counted on the wire)."""
    from graph import cypher
    from graph.cypher import KEY

    served = serve(board)
    for query in READS:
        served.post(query)
    sent = bolt_statements(monkeypatch)
    for query in READS * 3:
        served.post(query)
    asked = [c for c in sent if c != KEY]
    neo4j_store.graph_version()  # one statement sent for sure: the recording works
    assert sent[-1] == cypher.GRAPH_VERSION
    assert asked == []


def test_reads_in_memory_run_on_the_event_loop_and_show_writes(
    serve, board, neo4j_store, monkeypatch
):
    """A page's second service call (its labels) runs on the event loop once the
    request has read its version, the catch-up after a write included (the copy
    follows the changes the projection read); the first call, which checks the
    version, runs where it may wait. The page shows the write."""
    import views.network

    calls: list[bool] = []
    labels = views.network.labels

    def watched(**arguments):  # type: ignore[no-untyped-def]
        try:
            asyncio.get_running_loop()
            calls.append(True)
        except RuntimeError:
            calls.append(False)
        return labels(**arguments)

    monkeypatch.setattr(views.network, "labels", watched)
    served = serve(board)
    served.post(PAGE)
    calls.clear()
    served.post(PAGE)
    other = Neo4jStore(neo4j_store.driver, board=VersionBoard(board.client, board.key))
    other.write(renamed("Renamed Loop", "2026-02-01"))
    page = {n["id"]: n["name"] for n in served.post(PAGE)["network"]["nodes"]}
    assert page["S1"] == "Renamed Loop"
    assert calls == [True, True]
    assert served.store.rows.builds == 1  # the write was followed, not read again
