"""The composition root: the one place that builds stores and connections.

Nothing connects at import time; callers ask for what they need.
"""

from __future__ import annotations

from graph.store import GraphStore
from tiergraph.settings import Settings


def open_store(settings: Settings | None = None) -> GraphStore:
    settings = settings or Settings()
    if settings.store == "neo4j":
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore.connect(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password,
            settings.neo4j_database,
        )
    from graph.memory import MemoryStore

    return MemoryStore(settings.data_dir)
