"""Attacks answered before any GraphQL runs, over HTTP against `tiergraph serve` in
a process of its own, on the embedded store and on Neo4j (issue 12; docs/api.md,
"Authentication", "Limits", "Errors"): no key, malformed keys, another
organisation's key id with a secret, header name and scheme in other cases, a
revoked key, batched and oversized bodies, GET, other content types,
introspection, other paths and methods.

Each refusal is checked as a user sees it: the status, the whole coded body, no
trace, and nothing written. A document is first sent with a valid key (which
prepares it for the edge, api/edge.py), so every refusal below is made by the
edge's path as well as by the normal one.

The tests after "problems this review found" each failed before their fix.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from access.keys import revoke_key
from access.principal import Role
from api.auth import BAD_KEY, NO_KEY
from tests.api.served_forum import STORES, Served, served_forum

ME = "{ me { role organisation { id } } }"
WRITE = 'mutation { recognise(scheme: "RBA-7") { recognised } }'
TRACES = ("Traceback", 'File "', "site-packages", "neo4j.exceptions", "sqlite3.", "Error(")


@pytest.fixture(scope="module", params=STORES)
def served(request, tmp_path_factory) -> Iterator[Served]:
    yield from served_forum(request, tmp_path_factory.mktemp("attacks-http"))


def coded(response: httpx.Response, status: int, code: str, message: str | None = None) -> None:
    """The response is `status` with one error coded `code` (and `message`), no trace."""
    assert response.status_code == status, response.text
    for trace in TRACES:
        assert trace not in response.text, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code, response.text
    if message is not None:
        assert error["message"] == message, response.text


def unauthenticated(response: httpx.Response, message: str = BAD_KEY) -> None:
    coded(response, 401, "UNAUTHENTICATED", message)
    assert response.headers["www-authenticate"] == "Bearer"
    assert set(response.json()) == {"errors"}  # no data: nothing ran


def recognised(served: Served) -> tuple:
    """What a write would change: the graph version, the counts, M1's mutation records."""
    records = [r.id for r in served.store.mutation_records("M1")]
    return served.store.graph_version(), served.store.counts(), records


def bad_headers(served: Served) -> list[list[tuple[str, str]]]:
    """Authorization headers that must not open the API, M1's key the material."""
    key = served.keys["M1"]
    _, key_id, secret = key.split("_", 2)
    m2_id = served.keys["M2"].split("_", 2)[1]
    return [
        [("Authorization", "Bearer")],
        [("Authorization", "Basic " + key)],
        [("Authorization", key)],  # no scheme
        [("Authorization", "Bearer tg_x")],
        [("Authorization", "Bearer " + key[:-3] + "xyz")],  # a wrong secret
        [("Authorization", "Bearer " + key + "x")],
        [("Authorization", "Bearer " + key + " " + key)],
        [("Authorization", "Bearer " + key.upper())],
        [("Authorization", "Bearer " + key.replace("tg_", "TG_", 1))],
        [("Authorization", "Bearer\t" + key)],
        [("Authorization", f"Bearer tg_{m2_id}_{secret}")],  # M2's key id, M1's secret
        [("Authorization", f"Bearer tg_{key_id}")],
        [("Authorization", "Bearer " + key), ("Authorization", "Bearer " + served.keys["M2"])],
        [("Authorization", "Bearer " + key), ("authorization", "Bearer " + key)],
    ]


@pytest.mark.parametrize("query", [ME, WRITE], ids=["query", "mutation"])
def test_no_key_and_keys_that_are_not_valid_are_401_on_both_paths(served, query):
    prepared = served.post("M1", ME)  # prepares ME for the edge; WRITE is never sent validly
    assert prepared.json()["data"]["me"]["organisation"] == {"id": "M1"}
    before = recognised(served)
    for _ in range(2):
        unauthenticated(served.post(None, query), NO_KEY)
        unauthenticated(served.post(None, query, headers={"X-Authorization": "Bearer x"}), NO_KEY)
        for headers in bad_headers(served):
            response = httpx.post(
                f"{served.url}/graphql", json={"query": query}, headers=headers, timeout=60
            )
            message = "more than one Authorization header" if len(headers) == 2 else BAD_KEY
            unauthenticated(response, message)
    assert recognised(served) == before


def test_the_header_name_and_the_scheme_are_case_insensitive(served):
    key = served.keys["S1"]
    for name, scheme in (("AUTHORIZATION", "Bearer"), ("authorization", "bearer"),
                         ("Authorization", "BEARER ")):  # fmt: skip
        for _ in range(2):
            response = httpx.post(
                f"{served.url}/graphql",
                json={"query": ME},
                headers={name: f"{scheme} {key}"},
                timeout=60,
            )
            assert response.json() == {
                "data": {"me": {"role": "SUPPLIER", "organisation": {"id": "S1"}}}
            }


def test_a_revoked_key_never_writes_and_reads_nothing_after_the_bound(served):
    key_id, key = served.key(Role.SOURCING, "M1")
    for _ in range(3):  # found valid, and kept by the server's key cache
        assert served.post(None, ME, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    revoke_key(served.store, key_id)  # as `tiergraph keys revoke` would, in another process
    before = recognised(served)
    write = served.post(None, WRITE, headers={"Authorization": f"Bearer {key}"})
    unauthenticated(write)  # a request that may write reads the key's record every time
    assert recognised(served) == before
    time.sleep(2.0 + 0.5)  # TIERGRAPH_API_KEY_CACHE_SECONDS: the documented bound
    for _ in range(2):
        unauthenticated(served.post(None, ME, headers={"Authorization": f"Bearer {key}"}))


def test_a_batch_is_refused_whole_and_runs_nothing(served):
    before = recognised(served)
    for batch in ([{"query": WRITE}, {"query": ME}], []):
        response = httpx.post(
            f"{served.url}/graphql",
            json=batch,
            headers={"Authorization": f"Bearer {served.keys['M1']}"},
            timeout=60,
        )
        coded(response, 400, "BAD_USER_INPUT", "Batching is not enabled")
    assert recognised(served) == before


def test_get_answers_queries_as_post_does_and_refuses_mutations(served):
    headers = {"Authorization": f"Bearer {served.keys['M1']}"}
    got = httpx.get(f"{served.url}/graphql", params={"query": ME}, headers=headers, timeout=60)
    assert got.json() == served.ask("M1", ME)
    before = recognised(served)
    mutation = httpx.get(
        f"{served.url}/graphql", params={"query": WRITE}, headers=headers, timeout=60
    )
    coded(mutation, 400, "BAD_USER_INPUT", "mutations are not allowed when using GET")
    unauthenticated(httpx.get(f"{served.url}/graphql", params={"query": ME}, timeout=60), NO_KEY)
    assert recognised(served) == before


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/graphql", ""],
)
def test_a_body_that_is_not_json_is_a_coded_400_and_runs_nothing(served, content_type):
    before = recognised(served)
    for body in (json.dumps({"query": WRITE}), WRITE):
        coded(served.post_body("M1", body, content_type), 400, "BAD_USER_INPUT")
    assert recognised(served) == before


def test_a_json_body_that_is_no_object_or_no_utf8_is_a_coded_400(served):
    """Found by a reviewer on 2026-12-04: these answered a plain-text 500 (strawberry
    read `.get` of a number, json.loads met bytes that are not UTF-8)."""
    before = recognised(served)
    bodies = [b"null", b"5", b"true", b"1.5", b'"x"', b"\xff\xfe{"]
    bodies += [json.dumps({"query": WRITE}).encode()[:-2] + b"\xff" + b'"}', b"\x00" + b"{}"]
    bodies += [json.dumps({"query": ME}).encode("utf-16")]  # JSON, but not UTF-8
    for body in bodies:
        for kind in ("application/json", "APPLICATION/JSON"):  # RFC 9110: the same type
            coded(served.post_body("M1", body, kind), 400, "BAD_USER_INPUT")
    for variables in ("5", "[1]", "null"):  # GET's variables are JSON too
        response = httpx.get(
            f"{served.url}/graphql",
            params={"query": ME, "variables": variables},
            headers={"Authorization": f"Bearer {served.keys['M1']}"},
            timeout=60,
        )
        if variables == "null":  # no variables: the query runs
            assert response.status_code == 200 and "errors" not in response.json(), response.text
        else:
            coded(response, 400, "BAD_USER_INPUT")
    assert recognised(served) == before


def test_introspection_is_refused_unless_configured(served):
    for query in ("{ __schema { types { name } } }", '{ __type(name: "Query") { name } }'):
        for _ in range(2):
            body = served.ask("M1", query)
            assert body["data"] is None
            assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}
            assert body["errors"][0]["message"].startswith(
                "GraphQL introspection has been disabled"
            )
        unauthenticated(served.post(None, query), NO_KEY)


def test_a_body_over_the_limit_is_413_on_both_stores(served):
    response = served.post("M1", '{ organisation(id: "' + "x" * 300_000 + '") { id } }')
    coded(response, 413, "BAD_USER_INPUT", "the request is larger than 262144 bytes")
    assert len(response.content) < 1_000


# ---- problems this review found, fixed ----------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/nothing", 404, "NOT_FOUND"),
        ("GET", "/docs", 404, "NOT_FOUND"),
        ("GET", "/exports/", 404, "NOT_FOUND"),
        # a second reader: a trailing slash was a 307 with an empty body
        ("GET", "/health/", 404, "NOT_FOUND"),
        ("POST", "/graphql/", 404, "NOT_FOUND"),
        ("GET", "/exports/some-job/", 404, "NOT_FOUND"),
        ("PUT", "/graphql", 405, "BAD_USER_INPUT"),
        ("DELETE", "/graphql", 405, "BAD_USER_INPUT"),
        ("POST", "/health", 405, "BAD_USER_INPUT"),
        ("OPTIONS", "/graphql", 405, "BAD_USER_INPUT"),
    ],
)
def test_other_paths_and_methods_are_coded_errors_too(served, method, path, status, code):
    """Was FastAPI's `{"detail": "Not Found"}`: an error without `extensions.code`."""
    response = httpx.request(
        method,
        served.url + path,
        json={"query": ME},
        headers={"Authorization": f"Bearer {served.keys['M1']}"},
        timeout=60,
    )
    coded(response, status, code)
    assert set(response.json()) == {"errors"}


@pytest.mark.parametrize("content_type", ["APPLICATION/JSON", "Application/Json; charset=UTF-8"])
def test_the_json_media_type_is_case_insensitive(served, content_type):
    """RFC 9110 (8.3.1): type and subtype are case-insensitive. Was a 400 'Unsupported
    content type' from both paths."""
    for _ in range(2):
        response = httpx.post(
            f"{served.url}/graphql",
            content=json.dumps({"query": ME}),
            headers={"Authorization": f"Bearer {served.keys['M1']}", "content-type": content_type},
            timeout=60,
        )
        assert response.json() == {
            "data": {"me": {"role": "SOURCING", "organisation": {"id": "M1"}}}
        }, response.text
