"""The edge's short path (api/edge.py) answers what FastAPI and strawberry answer,
byte for byte: the same requests, keys and store, sent to the app with the edge
and to the app without it (`create_app(edge=False)`), compare status, headers and
body. Every error code is among them, and every abuse limit."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from access.keys import create_key, revoke_key
from access.principal import Principal
from api import edge
from api.app import create_app
from api.limits import MAX_ALIASES, MAX_DEPTH, MAX_PAGE, MAX_TOKENS
from api.prepared import known
from api.schema import schema
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from tests.api.test_mutations_api import MEMBER_MUTATIONS, MUTATIONS
from tests.views.forum import PRINCIPALS, forum
from tiergraph.settings import Settings

READS = [
    ("query($id: ID!) { organisation(id: $id) { id name tier kind country } }", {"id": "S2"}),
    ("query($id: ID!) { organisation(id: $id) { id name } }", {"id": "S9"}),  # hidden from M1
    ("query($id: ID!) { organisation(id: $id) { id name } }", {"id": "NOPE"}),  # absent
    ('{ tierCoverage(requirement: "R1") { depth tiers { tier nodes reached } } }', None),
    (
        '{ auditGaps(asOf: "2026-03-01", first: 100) { nodes { node { id name } tier reason '
        "audit { id scheme validUntil } } totalCount } }",
        None,
    ),  # fmt: skip
    (
        "{ network(first: 100) { nodes { id tier kind country name } "
        "pageInfo { endCursor hasNextPage } } }",
        None,
    ),  # fmt: skip
    (f"{{ network(first: {MAX_PAGE + 1}) {{ nodes {{ id }} }} }}", None),  # page size
    ("{ me { role keyId organisation { id name } } }", None),
    ("{ stats { members } }", None),  # operator only: FORBIDDEN for the others
    ("query($t: Int) { network(tier: $t) { nodes { id } } }", {"t": "two"}),  # bad variable
    ("query($id: ID!) { organisation(id: $id) { id } }", None),  # missing variable
    ("query A { health } query B { version }", None),  # no operation named: graphql-core's
    ("{ health nothingHere }", None),  # does not validate: the normal path answers
    ("{ health", None),  # does not parse
    ("{ a: health " + " ".join(f"a{i}: health" for i in range(MAX_ALIASES)) + " }", None),
    ("{ " + "health " * MAX_TOKENS + "}", None),
    ("{ __schema { types { name } } }", None),  # introspection off
    ("{ me " + "{ x " * MAX_DEPTH + "}" * MAX_DEPTH + " }", None),
    ('mutation { recognise(scheme: "RBA") { member } }', None),  # refused for all but M1
    ('mutation { passOn(requirement: "R1", to: "S9") { to } }', None),  # NOT_FOUND
]


def answers(client: TestClient, body: Any, headers: dict[str, str]) -> tuple[Any, ...]:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    response = client.post("/graphql", content=content, headers=headers)
    return response.status_code, sorted(response.headers.items()), response.content


@contextmanager
def apps(store: GraphStore) -> Iterator[tuple[TestClient, TestClient]]:
    """The app on `store` with the edge and without it (no rate limit), started."""
    with (
        TestClient(create_app(Settings(api_rate_per_second=0), store, edge=True)) as short,
        TestClient(create_app(Settings(api_rate_per_second=0), store, edge=False)) as normal,
    ):
        yield short, normal


@pytest.fixture
def clients(store: GraphStore) -> Iterator[tuple[TestClient, TestClient]]:
    store.write(forum())
    with apps(store) as pair:
        yield pair


def key_headers(store: GraphStore, principal: Principal) -> dict[str, str]:
    key = create_key(store, role=principal.role, organisation=principal.organisation)[1]
    return {"Authorization": f"Bearer {key}", "content-type": "application/json"}


def test_every_principal_gets_the_same_bytes_both_ways(store, clients, monkeypatch):
    on_edge: list[str] = []
    run = edge.edge_run

    async def counted(*args: Any) -> Any:
        on_edge.append(args[2].query)
        return await run(*args)

    monkeypatch.setattr(edge, "edge_run", counted)
    short, normal = clients
    for principal in PRINCIPALS.values():
        headers = key_headers(store, principal)
        for query, variables in READS:
            body = {"query": query, "variables": variables}
            assert answers(short, body, headers) == answers(normal, body, headers), (
                principal,
                query,
            )
    codes = set()
    for query, variables in READS:
        headers = key_headers(store, PRINCIPALS["analyst"])
        answer = orjson.loads(answers(short, {"query": query, "variables": variables}, headers)[2])
        codes |= {error["extensions"]["code"] for error in answer.get("errors") or []}
    assert codes == {"NOT_FOUND", "FORBIDDEN", "BAD_USER_INPUT"}
    assert len(on_edge) > len(PRINCIPALS) * 10  # most went the short way, not all
    assert "{ health" not in on_edge


def test_refused_requests_get_the_same_bytes_both_ways(store, clients):
    short, normal = clients
    record, key = create_key(store, role=PRINCIPALS["sourcing"].role, organisation="M1")
    revoked = create_key(store, role=PRINCIPALS["sourcing"].role, organisation="M1")
    revoke_key(store, revoked[0].id)
    json_type = {"content-type": "application/json"}
    body = {"query": "{ me { role } }"}
    cases: list[tuple[Any, dict[str, str]]] = [
        (body, json_type),  # no key: 401
        (body, {**json_type, "Authorization": "Bearer nope"}),
        (body, {**json_type, "Authorization": "Basic abc"}),
        (body, {**json_type, "Authorization": f"Bearer {revoked[1]}"}),
        ({"query": 'mutation { recognise(scheme: "RBA") { member } }'},
         {**json_type, "Authorization": f"Bearer {revoked[1]}"}),  # fmt: skip
        (b"{not json", {**json_type, "Authorization": f"Bearer {key}"}),
        (b"[1, 2]", {**json_type, "Authorization": f"Bearer {key}"}),
        ({"query": 3}, {**json_type, "Authorization": f"Bearer {key}"}),
        ({"query": "{ me { role } }", "variables": [1]}, {**json_type, "Authorization": f"Bearer {key}"}),
        ({"query": ""}, {**json_type, "Authorization": f"Bearer {key}"}),
        (body, {"content-type": "text/plain", "Authorization": f"Bearer {key}"}),
        (b'{"query": "{ me { role } }", "x": "\\ud800"}', {**json_type, "Authorization": f"Bearer {key}"}),
        ({"query": "{ me { role } }"}, {**json_type, "Authorization": f"Bearer {key}",
                                        "accept": "multipart/mixed"}),  # fmt: skip
        (b" " * (300 * 1024), {**json_type, "Authorization": f"Bearer {key}"}),  # 413
    ]  # fmt: skip
    for request, headers in cases:
        assert answers(short, request, headers) == answers(normal, request, headers), request
    two = [("authorization", f"Bearer {key}"), ("authorization", f"Bearer {key}")]
    for client in (short, normal):  # two Authorization headers: 401 both ways
        response = client.post("/graphql", content=orjson.dumps(body), headers=[*two, ("content-type", "application/json")])  # fmt: skip
        assert response.status_code == 401
    assert record.id


def normalised(answer: tuple[Any, ...]) -> tuple[Any, ...]:
    """The answer with its wait (999 or 1000 s) and the body's length left out."""
    status, headers, content = answer
    kept = [(k, v) for k, v in headers if k not in ("retry-after", "content-length")]
    return status, kept, re.sub(rb"\b(999|1000)\b", b"N", content)


def test_a_key_over_its_rate_gets_the_same_429_both_ways(store):
    store.write(forum())
    headers = key_headers(store, PRINCIPALS["sourcing"])
    body = {"query": "{ me { role } }"}
    seen = []
    for short in (True, False):
        settings = Settings(api_rate_per_second=0.001, api_rate_burst=1)
        with TestClient(create_app(settings, store, edge=short)) as client:
            seen.append([answers(client, body, headers) for _ in range(2)])
    # The wait is whole seconds from now: on a loaded machine the two apps' second
    # requests may come more than a second apart after their first.
    assert [normalised(a) for a in seen[0]] == [normalised(a) for a in seen[1]]
    status, response_headers, content = seen[0][1]
    assert status == 429 and dict(response_headers)["retry-after"] in ("999", "1000")
    assert orjson.loads(content)["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def internal_both_ways(tmp_path: Path, query: str, first: int) -> None:
    """`query` (an operator's) answered by the app with and without the edge, each
    asked `first` times while it works; then a table it counts is dropped: both
    answer the same bytes, one INTERNAL "Unexpected error.", no stack trace."""
    store = SqliteStore(tmp_path / "data")
    store.write(forum())
    headers = key_headers(store, PRINCIPALS["operator"])
    body = {"query": query}
    with apps(store) as clients:
        for client in clients:
            for _ in range(first):  # the key kept for 2 s (and the document prepared)
                assert answers(client, body, headers)[0] == 200
        for path in (tmp_path / "data").glob("*.db"):  # the next count fails in the service
            with sqlite3.connect(path) as db:
                db.execute("DROP TABLE IF EXISTS share")
        got = [answers(client, body, headers) for client in clients]
    assert got[0] == got[1]
    errors = orjson.loads(got[0][2])["errors"]
    assert [(e["message"], e["extensions"]["code"]) for e in errors] == [
        ("Unexpected error.", "INTERNAL")
    ]


def test_an_unexpected_error_is_internal_both_ways(tmp_path: Path):
    internal_both_ways(tmp_path, "{ health stats { members } }", first=1)


def deterministic(query: str) -> str:
    """The mutation's selection without what differs from write to write (ids, times)."""
    return (
        query.replace("mutation { id at } replayed", "replayed")
        .replace("outcome organisation reason", "outcome reason")
        .replace("{ audit findings replayed }", "{ replayed }")
    )


@pytest.mark.parametrize(
    ("principal", "name"),
    [*(("supplier inside", n) for n in MUTATIONS), *(("sourcing", n) for n in MEMBER_MUTATIONS)],
)
def test_each_mutation_answers_the_same_bytes_both_ways(tmp_path: Path, principal, name):
    """On two stores holding the same forum: each mutation, then the same again
    under one idempotency key where it takes one, then the wrong principals'."""
    query, variables = (MEMBER_MUTATIONS if principal == "sourcing" else MUTATIONS)[name]
    query = deterministic(query)
    seen = []
    for short in (True, False):
        store = SqliteStore(tmp_path / f"data-{short}")
        store.write(forum())
        settings = Settings(api_rate_per_second=0)
        with TestClient(create_app(settings, store, edge=short)) as client:
            got = []
            for who in (principal, "analyst", "operator", "supplier outside", "other member"):
                headers = key_headers(store, PRINCIPALS[who])
                for _ in range(2):
                    got.append(answers(client, {"query": query, "variables": variables}, headers))
            seen.append(got)
        store.close()
    assert seen[0] == seen[1]
    assert b'"errors"' not in seen[0][0][2]  # the right principal wrote


def test_cors_answers_the_same_both_ways_with_and_without_an_origin(store):
    store.write(forum())
    headers = key_headers(store, PRINCIPALS["sourcing"])
    body = {"query": "{ me { role } }"}
    seen = []
    for short in (True, False):
        settings = Settings(api_rate_per_second=0, api_cors_origins=["https://app.example"])
        with TestClient(create_app(settings, store, edge=short)) as client:
            got = [
                answers(client, body, {**headers, **origin})
                for origin in ({}, {"origin": "https://app.example"}, {"origin": "https://evil"})
            ]
            preflight = client.options(
                "/graphql",
                headers={
                    "origin": "https://app.example",
                    "access-control-request-method": "POST",
                },
            )
            got.append((preflight.status_code, sorted(preflight.headers.items())))
            seen.append(got)
    assert seen[0] == seen[1]
    allowed = dict(seen[0][1][1])
    assert allowed["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in dict(seen[0][2][1])


def test_only_a_request_with_a_valid_key_prepares_a_document(store, clients):
    tag = f"h{uuid.uuid4().hex}"
    short, _normal = clients
    query = f"{{ me {{ role keyId }} {tag}: health }}"  # a document never sent before
    body = {"query": query}
    headers = {"content-type": "application/json"}
    for wrong in ({}, {"Authorization": "Bearer nope"}):
        assert answers(short, body, {**headers, **wrong})[0] == 401
    assert known(schema._schema, query, None, False) is None  # nothing parsed for them
    valid = key_headers(store, PRINCIPALS["sourcing"])
    first = answers(short, body, valid)  # the normal path, which prepares it
    assert known(schema._schema, query, None, False) is not None
    assert answers(short, body, valid) == first  # now the edge's
