"""The sessions a Neo4j store keeps per thread for its one-statement transactions
(graph.neo4j_sessions), on the real Neo4j: reads from several threads see every
write committed before them, through this store or another one (another process's
driver); a statement that fails leaves the next one working; a closed store keeps
no session open and no connection in use."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import CypherSyntaxError

from graph.model import GraphBatch, Kind, Organisation
from graph.neo4j_store import Neo4jStore

pytestmark = pytest.mark.neo4j


def _org(i: int, name: str) -> Organisation:
    return Organisation(f"S-{i}", Kind.SUPPLIER, name, "GH")


def test_reads_on_many_threads_see_writes_made_through_another_driver(neo4j_store):
    other = Neo4jStore(GraphDatabase.driver(os.environ["TIERGRAPH_NEO4J_URI"]))
    try:
        with ThreadPoolExecutor(4) as pool:
            for round_ in range(5):
                other.write(
                    GraphBatch(organisations=[_org(i, f"round {round_}") for i in range(8)])
                )
                version = other.graph_version()
                versions = list(pool.map(lambda _: neo4j_store.graph_version(), range(8)))
                names = list(pool.map(lambda i: neo4j_store.organisations([f"S-{i}"]), range(8)))
                assert versions == [version] * 8
                assert [found[0].name for found in names] == [f"round {round_}"] * 8
    finally:
        other.close()


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
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda _: store.graph_version(), range(12)))
    kept = list(store._sessions._all)
    assert kept and not any(s.closed() for s in kept)
    in_use = [c for conns in driver._pool.connections.values() for c in conns if c.in_use]
    assert in_use == []  # between statements a kept session holds no connection
    store.close()
    assert all(s.closed() for s in kept)
