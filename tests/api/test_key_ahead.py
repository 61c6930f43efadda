"""A write request's key that the key cache holds is read with the request's first
round trip on Neo4j (graph.key_ahead), not in a round trip of its own before the
request runs: docs/api.md's rule stands on both stores, a revoked key never writes,
and its request is 401 whatever the mutation would have answered.

The keys here are trusted for an hour (TIERGRAPH_API_KEY_CACHE_SECONDS): every
request after the first finds its key in the cache, as in a server's steady use,
and each mutation's document was prepared by its first call (the edge's path)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from access.keys import create_key, revoke_key
from access.principal import Role
from api.app import create_app
from graph import cypher
from tests.api.test_write_attacks import MEMBER_WRITES, SUPPLIER_WRITES, state
from tests.views.forum import forum
from tiergraph.settings import Settings

HOUR = Settings(api_rate_per_second=0, api_key_cache_seconds=3600)


@pytest.fixture
def client(store) -> Iterator[TestClient]:
    store.write(forum())
    with TestClient(create_app(HOUR, store=store)) as client:
        yield client


def post(client: TestClient, key: str, query: str) -> Any:
    return client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {key}"}
    )


def refused(answer: Any) -> bool:
    body = answer.json()
    return (
        answer.status_code == 401
        and answer.headers.get("www-authenticate") == "Bearer"
        and [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
        and "data" not in body
    )


@pytest.mark.parametrize(
    ("role", "organisation", "writes"),
    [(Role.SUPPLIER, "S1", SUPPLIER_WRITES), (Role.SOURCING, "M1", MEMBER_WRITES)],
    ids=["supplier", "sourcing"],
)
def test_a_key_revoked_while_cached_writes_nothing_with_any_mutation(
    store, client, role, organisation, writes
):
    record, key = create_key(store, role=role, organisation=organisation)
    for name, query in writes.items():  # each document prepared, the key cached
        assert post(client, key, query).status_code == 200, name
    revoke_key(store, record.id)  # as `tiergraph keys revoke` in another process
    before = state(store)
    for name, query in writes.items():
        assert refused(post(client, key, query)), name
    assert state(store) == before


def test_a_revoked_key_is_401_where_its_mutation_fails_before_any_read(store, client):
    """A mutation answered from memory (a requirement never passed to S1 is NOT_FOUND)
    still reads its key before the answer leaves: 401, not the mutation's error."""
    record, key = create_key(store, role=Role.SUPPLIER, organisation="S1")
    adopt = 'mutation { adopt(requirement: "R99") { requirement } }'
    for _ in range(3):
        answer = post(client, key, adopt).json()
        assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    revoke_key(store, record.id)
    assert refused(post(client, key, adopt))
    assert refused(post(client, key, adopt))  # dropped from the cache: read at once


@pytest.mark.neo4j
def test_a_cached_keys_record_comes_with_the_kept_changes_on_neo4j(neo4j_store):
    """On Neo4j a registration with a cached key makes no round trip for its key: the
    record comes with the read that brings the mutation's checks up to date."""
    neo4j_store.write(forum())
    record, key = create_key(neo4j_store, role=Role.SUPPLIER, organisation="S1")
    statements: list[str] = []
    records = neo4j_store._sessions.records

    def counted(query: str, *args: Any, **kwargs: Any) -> list[Any]:
        statements.append(query)
        return records(query, *args, **kwargs)

    with TestClient(create_app(HOUR, store=neo4j_store)) as client:
        register = (
            'mutation($n: String!) { registerSupplier(supplier: {name: $n, country: "GH"}, '
            'commodity: "cocoa") { outcome } }'
        )
        names = ["Volta Beans", "Kumasi Shea Works", "Tamale Grain Traders"]
        for name in names:
            answer = client.post(
                "/graphql",
                json={"query": register, "variables": {"n": name}},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert answer.json() == {"data": {"registerSupplier": {"outcome": "CREATED"}}}
            neo4j_store._sessions.records = counted  # from the second on: key cached
        assert statements and cypher.KEY not in statements
        assert sum("ApiKey" in s for s in statements) == len(names) - 1
        revoke_key(neo4j_store, record.id)
        before = state(neo4j_store)
        answer = client.post(
            "/graphql",
            json={"query": register, "variables": {"n": "Ho Cashew"}},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert refused(answer)
        assert state(neo4j_store) == before
