"""Every cascade test keeps its projection cache in its own folder (not the
working directory's .tiergraph/cache); `pair`: two processes' handles on one store."""

from __future__ import annotations

import pytest

from graph.neo4j_store import Neo4jStore
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from tests.cascade.scenario import scenario


@pytest.fixture(autouse=True)
def projection_cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "projection-cache"
    monkeypatch.setenv("TIERGRAPH_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def pair(engine_store, tmp_path):
    """(the process that falls behind, another process that writes) on one store."""
    if isinstance(engine_store, SqliteStore):
        other: GraphStore = SqliteStore(tmp_path / "data")
    else:
        assert isinstance(engine_store, Neo4jStore)
        other = Neo4jStore(engine_store.driver)
    engine_store.write(scenario())
    yield engine_store, other
    if isinstance(other, SqliteStore):
        other.close()
