"""GraphQL operations sent as a principal, for the member query tests: through the
real app (authentication, limits, error codes), with `Authorization: Bearer KEY`
for a real key made for that principal's role and organisation."""

from __future__ import annotations

import weakref
from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient

from access.keys import create_key
from access.principal import Principal
from api.app import create_app
from graph.store import GraphStore
from tiergraph.settings import Settings

# One app and one key per (role, organisation) for each store under test. The
# rate limit is off: these tests send hundreds of requests with one key.
_clients: weakref.WeakKeyDictionary[Any, TestClient] = weakref.WeakKeyDictionary()
_keys: weakref.WeakKeyDictionary[Any, dict[tuple, tuple[str, str]]] = weakref.WeakKeyDictionary()


def _client(store: GraphStore) -> TestClient:
    if store not in _clients:
        app = create_app(Settings(api_rate_per_second=0), store=store)
        client = TestClient(app)
        client.__enter__()  # runs the startup; the store belongs to the test
        _clients[store] = client
    return _clients[store]


def key_of(store: GraphStore, principal: Principal) -> tuple[str, str]:
    """(key, key id) of a real key for the principal's role and organisation."""
    made = _keys.setdefault(store, {})
    who = (principal.role, principal.organisation)
    if who not in made:
        record, key = create_key(store, role=principal.role, organisation=principal.organisation)
        made[who] = (key, record.id)
    return made[who]


def execute(
    store: GraphStore,
    principal: Principal | None,
    query: str,
    variables: dict[str, Any] | None = None,
) -> SimpleNamespace:
    """The answer's `data` and `errors` (each with `message` and `extensions`)."""
    key = key_of(store, principal)[0] if principal is not None else None
    return execute_with_key(store, key, query, variables)


def execute_with_key(
    store: GraphStore, key: str | None, query: str, variables: dict[str, Any] | None = None
) -> SimpleNamespace:
    """`execute` with a key of the caller's own (a revoked one, say)."""
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    response = _client(store).post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    return _answer(response)


def execute_json(store: GraphStore, principal: Principal, body: str) -> SimpleNamespace:
    """`execute` with the request's JSON written by the caller: for values no JSON
    encoder writes (a lone surrogate escaped as \\ud800)."""
    headers = {
        "Authorization": f"Bearer {key_of(store, principal)[0]}",
        "content-type": "application/json",
    }
    return _answer(_client(store).post("/graphql", content=body.encode(), headers=headers))


def _answer(response: Any) -> SimpleNamespace:
    body = response.json()
    errors = [SimpleNamespace(**e) for e in body.get("errors") or []] or None
    for error in errors or []:
        error.extensions = getattr(error, "extensions", None)
    return SimpleNamespace(data=body.get("data"), errors=errors, status=response.status_code)


def code(error: Any) -> str:
    return (error.extensions or {}).get("code", "NO CODE")


def data(store: GraphStore, principal: Principal, query: str, **variables: Any) -> Any:
    result = execute(store, principal, query, variables or None)
    assert result.errors is None, [(e.message, code(e)) for e in result.errors]
    return result.data


def refusal(store: GraphStore, principal: Principal, query: str, **variables: Any) -> tuple:
    """(code, message) of the one error, with no data leaked beside it."""
    result = execute(store, principal, query, variables or None)
    assert result.errors and len(result.errors) == 1, result
    assert not result.data, result.data
    return code(result.errors[0]), result.errors[0].message
