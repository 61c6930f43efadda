"""Direct operations (api/direct.py) answer the bytes FastAPI and strawberry answer:
the same requests, keys and store content, sent to the app with the edge and to
the app without it, compared status, headers and body; each principal and each
wrong one, each error code, the replayed outcomes (an error raised, a value
graphql-core must shape), on both stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from api import edge
from api.app import create_app
from api.prepared import prepared, writes
from api.schema import schema
from bench.api import QUERIES
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from tests.api.test_edge import answers, apps, internal_both_ways, key_headers
from tests.views.forum import PRINCIPALS, forum
from tiergraph.settings import Settings

# These tests compare the two paths themselves, and one counts service calls
# (tests/api/conftest.py would run each query a second time).
COMPARE_FAST_AND_PLAIN = False
COVERAGE = "query($r: ID!) { tierCoverage(requirement: $r) { depth nodes tiers { tier nodes reached } } }"  # fmt: skip
ORGANISATION = "query($id: ID!) { organisation(id: $id) { id name tier kind country } }"
REGISTER = (  # the write mix's, without the new organisation's id (it differs per store)
    "mutation($s: NewSupplier!, $k: String) { registerSupplier(supplier: $s, "
    'commodity: "cocoa", idempotencyKey: $k) { outcome reason replayed } }'
)
PASS_ON = "mutation($r: ID!, $to: ID!) { passOn(requirement: $r, to: $to) { requirement by to replayed } }"  # fmt: skip
READS = [
    (COVERAGE, {"r": "R1"}),
    (COVERAGE, {"r": "R9"}),  # no such requirement
    (COVERAGE, {"r": None}),  # a null for a non-null variable: graphql-core's error
    (COVERAGE, {}),  # missing
    (ORGANISATION, {"id": "S2"}),
    (ORGANISATION, {"id": "S9"}),  # outside M1's network
    (ORGANISATION, {"id": "NOPE"}),
    (ORGANISATION, {"id": ["S2"]}),  # not an ID
    ("{ stats { members } }", None),  # operators only
    ('{ me { role keyId organisation { id name } } }', None),
]  # fmt: skip


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How each direct request ended: answered, replayed, or graphql-core's from the start."""
    seen = {"answered": 0, "replayed": 0, "graphql-core": 0}
    run = edge.run_direct

    async def counting(*args: Any) -> Any:
        got = await run(*args)
        kind = "answered" if type(got) is dict else "replayed" if got else "graphql-core"
        seen[kind] += 1
        return got

    monkeypatch.setattr(edge, "run_direct", counting)
    return seen


def test_the_write_mixs_operations_are_direct_and_others_are_not():
    def is_direct(query: str, name: str | None = None) -> bool:
        found = prepared(schema._schema, query, name, False)
        assert found is not None, query
        return found.direct

    for name in ("tierCoverage", "organisation", "registerSupplier", "passOn"):
        assert is_direct(QUERIES[name]), name
    assert not is_direct("{ health version }")  # two root fields
    assert not is_direct("{ __typename }")
    assert not is_direct("query($x: Boolean!) { me @include(if: $x) { role } }")
    assert not is_direct("query { ...F } fragment F on Query { health }")
    assert not is_direct("query A { health } query B { version }", "A")


def test_the_prepared_type_decides_whether_a_request_writes():
    query = 'query Q { health } mutation M { recognise(scheme: "RBA") { member } }'
    assert writes(prepared(schema._schema, query, "Q", False), query) is False
    assert writes(prepared(schema._schema, query, "M", False), query) is True
    # Not prepared (yet): the text decides, and a mutation is never taken for a query.
    assert writes(None, "mutation { x }") is True
    assert writes(None, "{ health }") is False
    assert writes(None, 3) is True


def test_every_principal_gets_the_same_bytes_both_ways(store, counted):
    store.write(forum())
    codes: set[str] = set()
    with apps(store) as (short, normal):
        for who, principal in PRINCIPALS.items():
            headers = key_headers(store, principal)
            for query, variables in READS:
                body = {"query": query, "variables": variables}
                for _ in range(2):  # the first prepares, the second is the edge's
                    got = answers(short, body, headers)
                    assert got == answers(normal, body, headers), (who, query, variables)
                errors = orjson.loads(got[2]).get("errors") or []
                codes |= {e.get("extensions", {}).get("code") for e in errors}
    assert codes >= {"NOT_FOUND", "FORBIDDEN", "BAD_USER_INPUT"}
    assert counted["answered"] > 0 and counted["replayed"] > 0 and counted["graphql-core"] > 0


def forum_store(tmp_path: Path, kind: str, request: pytest.FixtureRequest) -> GraphStore:
    """A store holding the forum only: the embedded one in its own folder, or Neo4j wiped."""
    if kind == "embedded":
        store: GraphStore = SqliteStore(tmp_path / f"data-{len(list(tmp_path.iterdir()))}")
    else:
        store = request.getfixturevalue("neo4j_store")
        from graph.cypher import WIPE_ALL

        with store.driver.session() as session:  # type: ignore[attr-defined]
            session.run(WIPE_ALL).consume()
        store.ensure_schema()  # type: ignore[attr-defined]
    store.write(forum())
    return store


MUTATIONS = [
    (PASS_ON, {"r": "R1", "to": "S2"}),
    (PASS_ON, {"r": "R1", "to": "S9"}),  # NOT_FOUND for M1's keys
    (PASS_ON, {"r": "R1", "to": 7}),  # an Int for an ID: coerced
    (PASS_ON, {"r": "R1"}),  # missing variable
    (REGISTER, {"s": {"name": "Volta Beans", "country": "GH"}, "k": "a"}),
    (REGISTER, {"s": {"name": "Volta Beans", "country": "GH"}, "k": "a"}),
    (REGISTER, {"s": {"name": "", "country": "GH"}}),  # BAD_USER_INPUT
    (REGISTER, {"s": {"name": "X", "country": "Narnia"}}),
]


@pytest.mark.parametrize("kind", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_each_write_answers_the_same_bytes_both_ways(tmp_path, request, kind, counted):
    """The same writes by each principal on two stores holding the same forum, one
    through the edge, one through the normal path."""
    seen = []
    for short in (True, False):
        store = forum_store(tmp_path, kind, request)
        with TestClient(create_app(Settings(api_rate_per_second=0), store, edge=short)) as client:
            got = []
            for who in ("supplier inside", "sourcing", "analyst", "operator", "supplier outside"):
                headers = key_headers(store, PRINCIPALS[who])
                for query, variables in MUTATIONS:
                    body = {"query": query, "variables": variables}
                    got.append((who, variables, answers(client, body, headers)))
            seen.append(got)
        if kind == "embedded":
            store.close()
    assert seen[0] == seen[1]
    assert b'"errors"' not in seen[0][0][2][2]  # the right principal wrote
    assert counted["answered"] > 0 and counted["replayed"] > 0


def test_a_value_graphql_core_must_shape_is_replayed_not_resolved_twice(store, monkeypatch):
    """A null in a non-null field: graphql-core makes the error from the value the
    resolver returned (the API's own bug: INTERNAL, at the field's path), and the
    service ran once per request."""
    import views.coverage
    from api.coverage import types

    store.write(forum())
    ran = []
    service = views.coverage.tier_coverage

    def watched(**arguments: Any) -> Any:
        ran.append(1)
        return service(**arguments)

    monkeypatch.setattr(views.coverage, "tier_coverage", watched)
    of = types.TierCoverage.of

    def broken(c: Any) -> Any:
        found = of(c)
        found.depth = None  # type: ignore[assignment]
        return found

    monkeypatch.setattr(types.TierCoverage, "of", staticmethod(broken))
    headers = key_headers(store, PRINCIPALS["sourcing"])
    body = {"query": COVERAGE, "variables": {"r": "R1"}}
    with apps(store) as (short, normal):
        answers(short, body, headers)  # prepared
        ran.clear()
        got = answers(short, body, headers)
        assert len(ran) == 1
        assert got == answers(normal, body, headers)
    (error,) = orjson.loads(got[2])["errors"]  # a bug of the API's: said as one, where
    assert (error["path"], error["extensions"]["code"]) == (["tierCoverage", "depth"], "INTERNAL")


def test_an_unexpected_error_in_a_direct_operation_is_internal_both_ways(tmp_path, counted):
    # twice first: prepared, then the edge's
    internal_both_ways(tmp_path, "{ stats { members } }", first=2)
    assert counted["replayed"] == 1  # the edge's second request, then the failing one


def test_a_direct_answer_leaves_nothing_for_the_cycle_collector(store, counted):
    """A direct operation's execution context is freed when its request ends, not
    left in a reference cycle for the garbage collector (api.fastpath.release): the
    write mix's operations, read and written, leave no context behind."""
    import gc

    from api.fastpath import FastExecutionContext

    store.write(forum())
    app = create_app(Settings(api_rate_per_second=0), store)
    sent = [
        ("sourcing", COVERAGE, {"r": "R1"}),
        ("sourcing", ORGANISATION, {"id": "S2"}),
        ("supplier inside", PASS_ON, {"r": "R1", "to": "S2"}),
        ("supplier inside", REGISTER, {"s": {"name": "Volta Beans", "country": "GH"}, "k": "a"}),
    ]
    headers = {who: key_headers(store, PRINCIPALS[who]) for who, _, _ in sent}
    with TestClient(app) as client:
        for who, query, variables in sent * 2:  # the first prepares, the second is the edge's
            body = {"query": query, "variables": variables}
            got = client.post("/graphql", json=body, headers=headers[who])
            assert "errors" not in got.json(), got.json()
        gc.collect()
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for who, query, variables in sent:
                body = {"query": query, "variables": variables}
                answer = client.post("/graphql", json=body, headers=headers[who]).json()
                assert "errors" not in answer, answer
            gc.collect()
            left = [o for o in gc.garbage if isinstance(o, FastExecutionContext)]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
    assert counted["answered"] >= len(sent) and counted["replayed"] == 0
    assert left == []
