"""A real `tiergraph serve` in its own process, on a real SQLite data folder:
keys made, used and revoked from this process, as `tiergraph keys` would.
401 without a valid key, 429 past a key's rate, CORS and introspection as
configured; every refusal a coded GraphQL error."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from access.keys import create_key, revoke_key
from access.principal import Role
from graph.sqlite_store import SqliteStore
from tests.factories import small_network
from tests.served import serving

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "https://sourcing.example"


@dataclass
class Server:
    url: str
    store: SqliteStore  # the same data folder, opened by the test

    def key(self, role: Role = Role.SOURCING, organisation: str | None = "M1") -> str:
        return create_key(self.store, role=role, organisation=organisation)[1]

    def post(self, query: str, key: str | None = None, **kwargs) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return httpx.post(f"{self.url}/graphql", json={"query": query}, headers=headers, **kwargs)


def serve(data: Path, **settings: str) -> Iterator[Server]:
    store = SqliteStore(data)
    store.write(small_network())
    try:
        with serving(data, **settings) as url:
            yield Server(url, store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def default(tmp_path_factory) -> Iterator[Server]:
    """Nothing configured: the default rate, CORS closed, introspection off."""
    yield from serve(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="module")
def configured(tmp_path_factory) -> Iterator[Server]:
    yield from serve(
        tmp_path_factory.mktemp("configured"),
        api_rate_per_second="0.5",
        api_rate_burst="2",
        api_cors_origins=f"{ORIGIN},https://analysts.example",
        api_introspection="true",
        api_key_cache_seconds="0",
    )


def assert_refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert "data" not in body and len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == code
    return body["errors"][0]["message"]


def assert_unauthenticated(response: httpx.Response) -> str:
    assert response.headers["www-authenticate"] == "Bearer"
    return assert_refused(response, 401, "UNAUTHENTICATED")


def test_a_valid_key_is_answered(default):
    response = default.post("{ health }", default.key())
    assert response.status_code == 200
    assert response.json() == {"data": {"health": "ok"}}


def test_no_key_is_401_and_says_how_to_send_one(default):
    message = assert_unauthenticated(default.post("{ health }"))
    assert "Authorization: Bearer" in message
    get = httpx.get(f"{default.url}/graphql", params={"query": "{ health }"})
    assert_unauthenticated(get)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer tg_000000000000_notthesecret",  # unknown key id
        "Bearer not-a-tiergraph-key",
        "Bearer",
        "Basic dXNlcjpwYXNz",
    ],
)
def test_a_bad_or_malformed_key_is_401(default, header):
    assert_unauthenticated(default.post("{ health }", headers={"Authorization": header}))


def test_a_key_with_a_wrong_secret_is_401(default):
    key = default.key()
    assert_unauthenticated(default.post("{ health }", key[:-3] + "xyz"))


def test_a_revoked_key_is_401_within_the_key_cache_seconds(default):
    """By default a server trusts a key it found valid for 2 s (a request reads no
    key record then): a revocation takes effect within that bound."""
    record, key = create_key(default.store, role=Role.ANALYST, organisation="M1")
    assert default.post("{ health }", key).status_code == 200
    revoke_key(default.store, record.id)  # as `tiergraph keys revoke` in another process
    revoked = time.monotonic()
    while default.post("{ health }", key).status_code == 200:
        assert time.monotonic() - revoked < 2.0 + 0.5, "still accepted past the cache's bound"
        time.sleep(0.05)
    assert_unauthenticated(default.post("{ health }", key))


def test_a_revoked_key_is_401_from_its_next_request_without_the_cache(configured):
    record, key = create_key(configured.store, role=Role.OPERATOR, organisation=None)
    assert configured.post("{ health }", key).status_code == 200
    revoke_key(configured.store, record.id)
    assert_unauthenticated(configured.post("{ health }", key))


def test_a_revoked_key_writes_nothing_from_its_next_request(default):
    """A request that may write is refused as soon as another process (here the test,
    as `tiergraph keys revoke`) revoked its key, within the 2 s its reads are trusted."""
    record, key = create_key(default.store, role=Role.SUPPLIER, organisation="S1")
    adopt = 'mutation { adopt(requirement: "R99") { requirement } }'
    for _ in range(3):  # past the key check: the service answers (no such requirement)
        answered = default.post(adopt, key)
        assert answered.status_code == 200
        assert answered.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    revoke_key(default.store, record.id)
    assert_unauthenticated(default.post(adopt, key))


def test_health_and_the_graphiql_page_need_no_key(default):
    assert httpx.get(f"{default.url}/health").json()["status"] == "ok"
    page = httpx.get(f"{default.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    for path in ("/docs", "/redoc", "/openapi.json"):  # nothing else is open
        assert httpx.get(f"{default.url}{path}").status_code == 404


def test_a_key_over_its_rate_is_429_with_retry_after(configured):
    key, other = configured.key(), configured.key(Role.SUPPLIER, "S1")
    answers = [configured.post("{ health }", key) for _ in range(3)]
    assert [r.status_code for r in answers[:2]] == [200, 200]  # the burst
    message = assert_refused(answers[2], 429, "RATE_LIMITED")
    retry_after = int(answers[2].headers["retry-after"])
    assert 1 <= retry_after <= 2  # the next token, at 0.5 a second
    assert answers[2].json()["errors"][0]["extensions"]["retryAfter"] == retry_after
    assert f"retry after {retry_after} s" in message
    assert configured.post("{ health }", other).status_code == 200  # its own bucket


def test_cors_is_closed_by_default(default):
    preflight = httpx.options(
        f"{default.url}/graphql",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    response = default.post("{ health }", default.key(), headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_only_the_configured_origins(configured):
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(
            f"{configured.url}/graphql",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )

    allowed = preflight(ORIGIN)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    refused = preflight("https://elsewhere.example")
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    # A refusal is readable by the allowed origin too (the 401 carries the header).
    response = configured.post("{ health }", headers={"Origin": ORIGIN})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == ORIGIN


INTROSPECTION = "{ __schema { queryType { name } } }"


def test_introspection_is_off_by_default(default):
    response = default.post(INTROSPECTION, default.key())
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "introspection has been disabled" in body["errors"][0]["message"]


def test_introspection_is_answered_when_configured_on(configured):
    response = configured.post(INTROSPECTION, configured.key(Role.OPERATOR, None))
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_content_types_are_read_as_strawberry_reads_them():
    """api.errors keeps strawberry's parse of each Content-Type header text: the
    same answer as strawberry's own but for the media type, in lower case (RFC 9110
    reads it so), a fresh dict each time."""
    from strawberry.http.parse_content_type import parse_content_type

    from api.errors import content_type

    for header in (
        "application/json",
        "application/json; charset=utf-8",
        'multipart/form-data; boundary="a b"',
        "text/plain",
        "",
        "APPLICATION/JSON;CHARSET=UTF-8",
    ):
        mime, params = parse_content_type(header)
        assert content_type(header) == (mime.lower(), params), header
        assert content_type(header) == (mime.lower(), params), header  # kept
    first = content_type("application/json; charset=utf-8")[1]
    first["charset"] = "changed"
    assert content_type("application/json; charset=utf-8")[1] == {"charset": "utf-8"}


def test_a_served_request_is_read_by_its_content_type(default):
    """A served process: JSON with a charset parameter answers; a body sent as
    text/plain is refused with the coded error, each time (kept parses included)."""
    key = default.key()
    for _ in range(2):
        sent = default.post(
            "{ health }", key, headers={"Content-Type": "application/json; charset=utf-8"}
        )
        assert sent.status_code == 200 and sent.json() == {"data": {"health": "ok"}}
        plain = httpx.post(
            f"{default.url}/graphql",
            content=b'{"query": "{ health }"}',
            headers={"Authorization": f"Bearer {key}", "Content-Type": "text/plain"},
        )
        assert "content type" in assert_refused(plain, 400, "BAD_USER_INPUT").lower()
