"""Where a resolver's service call runs (api.network.common): a query on the
embedded store on the event loop once the projection is current; a query that
finds it stale, a mutation, and anything on Neo4j in a worker thread (a mutation
on the embedded store in the process's one writer thread)."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from graphql import OperationType

from access.keys import create_key
from access.principal import Role
from api.app import create_app
from api.network.common import runs_inline
from graph.model import GraphBatch, Kind, Organisation
from graph.sqlite_store import SqliteStore
from tests.api.posting import no_error_poster
from tests.factories import small_network
from tiergraph.settings import Settings

COVERAGE = '{ tierCoverage(requirement: "R1") { depth } }'
PAGE = "{ network(first: 10) { nodes { id name } } }"
COMPARE_FAST_AND_PLAIN = False  # these tests count service calls (tests/api/conftest.py)


def on_the_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def served(tmp_path, monkeypatch):
    """(post, calls, store, threads): post an operation as M1's sourcing key; calls
    lists (service, ran on the event loop) for the services watched, threads the
    name of the thread each last ran in."""
    monkeypatch.setenv("TIERGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    store = SqliteStore(tmp_path / "data")
    store.write(small_network())
    _, key = create_key(store, role=Role.SOURCING, organisation="M1")
    calls: list[tuple[str, bool]] = []
    threads: dict[str, str] = {}

    def watch(module, name):  # type: ignore[no-untyped-def]
        original = getattr(module, name)

        def watched(**arguments):  # type: ignore[no-untyped-def]
            calls.append((name, on_the_loop()))
            threads[name] = threading.current_thread().name
            return original(**arguments)

        monkeypatch.setattr(module, name, watched)

    import views.coverage
    import views.jobs
    import views.network

    watch(views.coverage, "tier_coverage")
    watch(views.network, "labels")
    watch(views.jobs, "run_cascade")
    app = create_app(Settings(api_rate_per_second=0), store=store)
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        post = no_error_poster(client)
        yield post, calls, store, threads
    store.close()


def test_a_query_runs_on_the_event_loop_once_the_projection_is_current(served):
    post, calls, _, _ = served
    post(COVERAGE)  # no projection in the process yet: built in a worker thread
    post(COVERAGE)
    post(PAGE)  # the page's DataLoader batch too
    assert calls == [("tier_coverage", False), ("tier_coverage", True), ("labels", True)]


def test_after_a_write_the_next_query_catches_up_in_a_worker_thread(served):
    post, calls, store, _ = served
    post(COVERAGE)
    post(COVERAGE)
    store.write(GraphBatch(organisations=[Organisation("S9", Kind.SUPPLIER, "Late", "GH")]))
    post(COVERAGE)  # the projection is behind the store: brought up to date off the loop
    post(COVERAGE)
    assert [on_loop for _, on_loop in calls] == [False, True, False, True]


def test_a_mutation_runs_in_the_writer_thread(served):
    from views.job_runners import jobs_for

    post, calls, store, threads = served
    post(COVERAGE)
    post(COVERAGE)
    post('mutation { runCascade(requirement: "R1") { id } }')  # may wait for a write lock
    assert calls[-1] == ("run_cascade", False)
    assert threads["run_cascade"].startswith("tiergraph-writer")
    assert not threads["tier_coverage"].startswith("tiergraph-writer")
    for thread in list(jobs_for(store).threads.values()):  # type: ignore[attr-defined]
        thread.join(timeout=30)


def test_no_query_on_neo4j_runs_on_the_event_loop():
    from graph.neo4j_store import Neo4jStore

    store = Neo4jStore.__new__(Neo4jStore)  # never connected: runs_inline reads nothing of it
    query = SimpleNamespace(operation=OperationType.QUERY)
    info = SimpleNamespace(operation=query, context=SimpleNamespace(store=store))
    assert runs_inline(info) is False  # type: ignore[arg-type]
