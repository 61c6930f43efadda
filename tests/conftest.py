"""Fixtures for the real services and for running one test on every store.

Neo4j and Redis come from scripts/services.sh (TIERGRAPH_NEO4J_URI,
TIERGRAPH_REDIS_URL). Outside CI a test that needs a missing service skips;
with CI=true it fails, so CI can never go green without them.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from graph.sqlite_store import SqliteStore

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# No per-example deadline: on the shared 2-core machine one example of a few ms
# sometimes takes over hypothesis' default 200 ms (a collection, another suite),
# which failed a test for the machine's speed, not for a wrong answer.
settings.register_profile("tiergraph", deadline=None)
settings.load_profile("tiergraph")


def _service_url(variable: str, what: str) -> str:
    url = os.environ.get(variable)
    if not url:
        message = f"{what} is not running: start it with scripts/services.sh ({variable} unset)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def neo4j_driver():
    from neo4j import GraphDatabase

    uri = _service_url("TIERGRAPH_NEO4J_URI", "Neo4j")
    driver = GraphDatabase.driver(uri, auth=None)
    try:
        driver.verify_connectivity()
    except Exception as exc:  # noqa: BLE001 - any failure to reach it means the same here
        if IN_CI:
            pytest.fail(f"Neo4j at {uri} does not answer: {exc}")
        pytest.skip(f"Neo4j at {uri} does not answer: {exc}")
    yield driver
    driver.close()


@pytest.fixture
def neo4j_store(neo4j_driver):
    from graph.cypher import WIPE_ALL
    from graph.neo4j_store import Neo4jStore

    with neo4j_driver.session() as session:  # batched: a benchmark may have left 200k nodes
        session.run(WIPE_ALL).consume()
    store = Neo4jStore(neo4j_driver)
    store.ensure_schema()
    return store


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    url = _service_url("TIERGRAPH_REDIS_URL", "Redis")
    try:
        redis.Redis.from_url(url).ping()
    except Exception as exc:  # noqa: BLE001
        if IN_CI:
            pytest.fail(f"Redis at {url} does not answer: {exc}")
        pytest.skip(f"Redis at {url} does not answer: {exc}")
    return url


@pytest.fixture(
    params=[
        "embedded",
        pytest.param("neo4j", marks=pytest.mark.neo4j),
        pytest.param("neo4j-bulk", marks=pytest.mark.neo4j),
    ]
)
def store(request, tmp_path):
    yield from _store(request, tmp_path)


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def engine_store(request, tmp_path):
    """The embedded store and Neo4j (not its bulk path: for tests that write much and
    check what is computed, not how it was written)."""
    yield from _store(request, tmp_path)


def _store(request, tmp_path):
    """The same test on each store adapter; "neo4j-bulk" sends every write down
    the Neo4j bulk path (graph.neo4j_bulk) that large loads take."""
    if request.param == "embedded":
        store = SqliteStore(tmp_path / "data")
        yield store
        store.close()
        return
    neo4j = request.getfixturevalue("neo4j_store")
    if request.param == "neo4j-bulk":
        neo4j.single_tx_rows = 0
    yield neo4j
