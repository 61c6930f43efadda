"""tests/views/forum.py's forum served by a real `tiergraph serve` in a process of
its own, on the embedded store or on Neo4j, with a real key for each principal the
attack tests act as (tests/api/test_attacks_http.py, test_attacks_principals.py).

One server process (one worker): the first request of a document goes FastAPI's
and strawberry's path and prepares it, every later one the edge's (api/edge.py),
so a test that sends a request twice checks both paths."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from access.keys import create_key
from access.principal import Role
from graph.store import GraphStore
from tests.served import serving
from tests.views.forum import forum

# name -> (role, organisation): every principal the attacks act as
KEYS: dict[str, tuple[Role, str | None]] = {
    "M1": (Role.SOURCING, "M1"),
    "M1 analyst": (Role.ANALYST, "M1"),
    "M2": (Role.SOURCING, "M2"),
    "S1": (Role.SUPPLIER, "S1"),
    "S1 again": (Role.SUPPLIER, "S1"),  # a second key of the same organisation and role
    "S2": (Role.SUPPLIER, "S2"),
    "S4": (Role.SUPPLIER, "S4"),
    "S9": (Role.SUPPLIER, "S9"),
    "M1 as supplier": (Role.SUPPLIER, "M1"),
    "operator": (Role.OPERATOR, None),
}


@dataclass
class Served:
    kind: str  # "embedded" or "neo4j"
    url: str
    store: GraphStore  # the same store, opened by the test process (as the CLI would)
    keys: dict[str, str]
    key_ids: dict[str, str]

    def post(
        self, who: str | None, query: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if who is not None:
            headers["Authorization"] = f"Bearer {self.keys[who]}"
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return httpx.post(f"{self.url}/graphql", json=body, headers=headers, timeout=60, **kw)

    def post_body(self, who: str, body: bytes | str, content_type: str) -> httpx.Response:
        """POST `body` as it is, under `content_type`, with `who`'s key."""
        headers = {"Authorization": f"Bearer {self.keys[who]}", "content-type": content_type}
        return httpx.post(f"{self.url}/graphql", content=body, headers=headers, timeout=60)

    def ask(self, who: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(who, query, variables)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def key(self, role: Role, organisation: str | None) -> tuple[str, str]:
        """A new key: (key id, key)."""
        record, key = create_key(self.store, role=role, organisation=organisation)
        return record.id, key


def served_forum(request: pytest.FixtureRequest, folder: Path) -> Iterator[Served]:
    """The forum served on `request.param`'s store ("embedded" or "neo4j")."""
    settings = {"api_rate_per_second": "0"}
    if request.param == "embedded":
        from graph.sqlite_store import SqliteStore

        store: GraphStore = SqliteStore(folder / "data")
    else:
        from graph.cypher import WIPE_ALL
        from graph.neo4j_store import Neo4jStore

        driver = request.getfixturevalue("neo4j_driver")
        with driver.session() as session:
            session.run(WIPE_ALL).consume()
        store = Neo4jStore(driver)
        store.ensure_schema()
        (folder / "data").mkdir()  # the server's working folder
        settings.update(
            store="neo4j",
            neo4j_uri=os.environ["TIERGRAPH_NEO4J_URI"],
            redis_url=request.getfixturevalue("redis_url"),
        )
    store.write(forum())
    made = {name: create_key(store, role=r, organisation=o) for name, (r, o) in KEYS.items()}
    keys = {name: key for name, (_, key) in made.items()}
    key_ids = {name: record.id for name, (record, _) in made.items()}
    if request.param == "embedded":
        store.close()  # the server's; reopened below for the test's own reads
        store = SqliteStore(folder / "data")
    # the server logs the tracebacks of what these tests break: quiet
    with serving(folder / "data", quiet=True, **settings) as url:
        yield Served(request.param, url, store, keys, key_ids)
    if request.param == "embedded":
        store.close()


STORES = ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]
