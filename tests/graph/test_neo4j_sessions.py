"""The sessions a Neo4j store keeps per thread for its one-statement transactions
(graph.neo4j_sessions), on the real Neo4j: a write through one server process is
in the other's next read; a statement that fails leaves the next one working; a
thread that ended leaves no session open; a closed store keeps no session open and
no connection in use."""

from __future__ import annotations

import gc
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from neo4j import GraphDatabase
from neo4j.exceptions import CypherSyntaxError

from access.keys import create_key
from access.principal import Role
from api.app import create_app
from graph.model import GraphBatch, Kind, Organisation
from graph.neo4j_store import Neo4jStore
from tests.views.forum import forum
from tiergraph.settings import Settings

pytestmark = pytest.mark.neo4j


def _org(i: int, name: str) -> Organisation:
    return Organisation(f"S-{i}", Kind.SUPPLIER, name, "GH")


REGISTER = """mutation($name: String!) {
  registerSupplier(supplier: {name: $name, country: "GH"}, commodity: "cocoa") {
    outcome organisation } }"""
SEEN = "query($id: ID!) { organisation(id: $id) { id name tier } }"
NAMES = ("Volta Beans", "Kumasi Shea Works", "Tamale Grain Traders", "Ho Cashew", "Wa Millers")


def test_a_supplier_registered_through_one_server_shows_in_the_others_next_read(
    neo4j_store,
):
    """Two server processes, each with its own driver and sessions kept per thread:
    a sub-supplier that S1 registers through one is in M1's network at tier 2 in the
    very next read through the other (no wait, no retry), every time."""
    neo4j_store.write(forum())
    other = Neo4jStore(GraphDatabase.driver(os.environ["TIERGRAPH_NEO4J_URI"]))
    supplier = create_key(neo4j_store, role=Role.SUPPLIER, organisation="S1")[1]
    member = create_key(neo4j_store, role=Role.SOURCING, organisation="M1")[1]
    settings = Settings(api_rate_per_second=0)
    try:
        with (
            TestClient(create_app(settings, store=neo4j_store)) as one,
            TestClient(create_app(settings, store=other)) as two,
        ):
            for name in NAMES:
                made = _post(one, supplier, REGISTER, name=name)["registerSupplier"]
                assert made["outcome"] == "CREATED"
                seen = _post(two, member, SEEN, id=made["organisation"])["organisation"]
                assert seen == {"id": made["organisation"], "name": name, "tier": 2}
    finally:
        other.close()


def _post(client: TestClient, key: str, query: str, **variables: str) -> dict:
    headers = {"Authorization": f"Bearer {key}"}
    answer = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body = answer.json()
    assert answer.status_code == 200 and "errors" not in body, body
    return body["data"]


def test_a_failed_statement_leaves_the_next_one_working(neo4j_store):
    neo4j_store.write(GraphBatch(organisations=[_org(1, "Mill One")]))
    for _ in range(3):
        with pytest.raises(CypherSyntaxError):
            neo4j_store._read("MATCH (o:Organisation RETURN o", {})
        assert [o.name for o in neo4j_store.organisations(["S-1"])] == ["Mill One"]
        assert neo4j_store.graph_version() == neo4j_store.current_version()


def test_a_closed_store_keeps_no_session_and_no_connection(neo4j_store):
    driver = GraphDatabase.driver(os.environ["TIERGRAPH_NEO4J_URI"])
    store = Neo4jStore(driver)
    with ThreadPoolExecutor(3) as pool:  # its threads still running: their sessions kept
        list(pool.map(lambda _: store.graph_version(), range(12)))
        kept = store._sessions.open_sessions()
        assert kept and not any(s.closed() for s in kept)
        in_use = [c for conns in driver._pool.connections.values() for c in conns if c.in_use]
        assert in_use == []  # between statements a kept session holds no connection
        store.close()
        assert all(s.closed() for s in kept)


def test_the_sessions_of_a_thread_that_ended_are_closed_with_it(neo4j_store):
    """A server's worker threads come and go (a pool shrinks, a keeper restarts): the
    sessions such a thread opened are closed when it ends, not kept until the store
    closes, and the store still answers on the threads that remain."""
    neo4j_store.write(GraphBatch(organisations=[_org(1, "Mill One")]))
    assert [o.name for o in neo4j_store.organisations(["S-1"])] == ["Mill One"]
    here = neo4j_store._sessions.open_sessions()  # this thread's
    opened: list = []

    def reads() -> None:
        neo4j_store.organisations(["S-1"])
        neo4j_store.graph_version()
        opened.extend(s for s in neo4j_store._sessions.open_sessions() if s not in here)

    for _ in range(20):
        thread = threading.Thread(target=reads)
        thread.start()
        thread.join()
    gc.collect()
    assert len(opened) >= 20 and all(s.closed() for s in opened)
    assert neo4j_store._sessions.open_sessions() == here  # this thread's, kept
    assert [o.name for o in neo4j_store.organisations(["S-1"])] == ["Mill One"]
