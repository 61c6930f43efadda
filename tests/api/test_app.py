"""The HTTP service on the embedded store, through TestClient: /health, the
GraphQL root fields, the limits every operation is checked against, and the
shape of its errors. tests/api/test_http.py runs a real server."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from fastapi.testclient import TestClient

import api.app
from access.keys import create_key
from access.principal import Role
from api.app import create_app
from graph.sqlite_store import SqliteStore
from graph.store import COUNT_KEYS
from tests.factories import small_network
from tiergraph.settings import Settings


class DownStore(SqliteStore):
    """A store whose server has gone away."""

    def ping(self) -> None:
        raise ConnectionError("bolt://db.internal:7687 refused the connection")

    def counts(self) -> dict[str, int]:
        raise ConnectionError("bolt://db.internal:7687 refused the connection")


@pytest.fixture
def store(tmp_path) -> SqliteStore:
    return SqliteStore(tmp_path)


def keyed_client(app, store) -> TestClient:
    """A client whose every request carries an operator key of `store`."""
    _, key = create_key(store, role=Role.OPERATOR, organisation=None)
    return TestClient(app, headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def client(store):
    with keyed_client(create_app(store=store), store) as client:  # `with` runs the lifespan
        yield client


def graphql(client: TestClient, query: str) -> dict:
    response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    return response.json()


def graphql_errors(client: TestClient, query: str) -> list[str]:
    """The messages of an operation refused whole; each error carries a code."""
    response = client.post("/graphql", json={"query": query})
    body = response.json()
    assert body.get("data") is None, body
    assert all(error["extensions"]["code"] == "BAD_USER_INPUT" for error in body["errors"])
    return [error["message"] for error in body["errors"]]


def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word.capitalize() for word in rest)


def test_health_is_ok_on_the_embedded_store(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": "embedded"}


def test_health_is_503_with_a_reason_when_the_store_does_not_answer(tmp_path):
    with TestClient(create_app(store=DownStore(tmp_path))) as client:
        response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["store"] == "embedded"
    assert "ConnectionError" in body["reason"]
    assert "db.internal" not in response.text  # internals stay in the server log


def test_root_fields_and_stats_of_the_store(client, store):
    store.write(small_network())
    data = graphql(client, "{ health version stats { members sourcing } }")
    assert "errors" not in data
    assert data["data"]["health"] == "ok"
    assert data["data"]["version"] == version("tiergraph")
    assert data["data"]["stats"] == {"members": 2, "sourcing": 6}


def test_stats_has_every_count_of_the_store_port_in_camel_case(client, store):
    store.write(small_network())
    counts = store.counts()
    data = graphql(client, "{ stats { " + " ".join(camel(key) for key in COUNT_KEYS) + " } }")
    assert data["data"]["stats"] == {camel(key): counts[key] for key in COUNT_KEYS}
    assert data["data"]["stats"]["passOn"] == 1


def test_an_error_inside_a_resolver_is_masked(tmp_path):
    store = DownStore(tmp_path)
    with keyed_client(create_app(store=store), store) as client:
        data = graphql(client, "{ health stats { members } }")
    assert data["data"] is None  # stats is non-null, so the error reaches the root
    assert [(e["message"], e["extensions"]) for e in data["errors"]] == [
        ("Unexpected error.", {"code": "INTERNAL"})
    ]
    assert "db.internal" not in str(data)


def test_an_over_aliased_operation_is_refused(client):
    query = "{ " + " ".join(f"h{i}: health" for i in range(20)) + " }"
    assert graphql_errors(client, query) == ["20 aliases found. Allowed: 15"]


def test_fifteen_aliases_are_allowed(client):
    query = "{ " + " ".join(f"h{i}: health" for i in range(15)) + " }"
    assert graphql(client, query)["data"]["h14"] == "ok"


def test_an_operation_deeper_than_ten_levels_is_refused(client):
    # The schema is not that deep yet: the depth check still reports the
    # operation, beside the unknown fields it asks for.
    query = "{ stats " + "{ members " * 11 + "}" * 12
    assert any("exceeds maximum operation depth of 10" in m for m in graphql_errors(client, query))


def test_the_app_opens_the_configured_store_at_startup_and_closes_it(tmp_path, monkeypatch):
    SqliteStore(tmp_path).write(small_network())
    opened: list[SqliteStore] = []
    closed: list[SqliteStore] = []

    class Recording(SqliteStore):
        def close(self) -> None:
            closed.append(self)

    def open_store(settings: Settings) -> SqliteStore:
        opened.append(Recording(settings.data_dir))
        return opened[-1]

    monkeypatch.setattr(api.app, "open_store", open_store)
    app = create_app(Settings(store="embedded", data_dir=tmp_path))
    assert opened == []  # building the app connects to nothing
    with keyed_client(app, SqliteStore(tmp_path)) as client:
        assert graphql(client, "{ stats { members } }")["data"]["stats"] == {"members": 2}
        assert closed == []
    assert closed == opened and len(opened) == 1


def test_a_store_handed_in_is_left_open_for_its_owner(tmp_path):
    closed = []

    class Recording(SqliteStore):
        def close(self) -> None:
            closed.append(self)

    with TestClient(create_app(store=Recording(tmp_path))) as client:
        client.get("/health")
    assert closed == []


def test_a_fresh_context_for_every_request(client, monkeypatch):
    import api.schema

    made = []
    original = api.schema.Context.__init__

    def recording(self, store, principal=None, introspection=False):
        original(self, store, principal, introspection)
        made.append(self)

    monkeypatch.setattr(api.schema.Context, "__init__", recording)
    graphql(client, "{ health }")
    graphql(client, "{ health }")
    assert len(made) == 2 and made[0] is not made[1]
    assert made[0].principal.role == Role.OPERATOR  # the key's principal, in the context


def test_health_is_503_from_a_neo4j_that_is_not_there(tmp_path):
    from neo4j import GraphDatabase

    from graph.neo4j_store import Neo4jStore
    from tests.test_cli import _closed_port

    driver = GraphDatabase.driver(f"bolt://127.0.0.1:{_closed_port()}", auth=None)
    with TestClient(create_app(store=Neo4jStore(driver))) as client:
        response = client.get("/health")
    driver.close()
    assert response.status_code == 503
    assert response.json()["reason"] == "the neo4j store did not answer (ServiceUnavailable)"


def test_no_operation_travels_by_websocket(client):
    """The GraphQL websocket protocols are off: nothing passes around the key check."""
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            ws.send_json({"type": "connection_init"})
            ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": "{ health }"}})
            ws.receive_json()


@pytest.mark.parametrize("role", [Role.SOURCING, Role.ANALYST, Role.SUPPLIER])
def test_stats_are_for_operators_only(store, role):
    store.write(small_network())
    _, key = create_key(store, role=role, organisation="S1" if role == Role.SUPPLIER else "M1")
    with TestClient(create_app(store=store)) as client:
        response = client.post(
            "/graphql",
            json={"query": "{ stats { members } }"},
            headers={"Authorization": f"Bearer {key}"},
        )
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
