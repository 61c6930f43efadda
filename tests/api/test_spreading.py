"""Keep-alive connections are closed after TIERGRAPH_API_KEEPALIVE_REQUESTS
requests (api.spreading), so that clients reconnect and spread over the server's
processes; the served process is real, the client a plain socket."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx

from access.keys import create_key
from access.principal import Role
from graph.sqlite_store import SqliteStore
from tests.served import serving
from tests.views.forum import forum


def answers_on_one_connection(url: str, requests: int) -> list[str | None]:
    """Each answer's Connection header, over one socket, until the server closes it
    (the answers after that are missing from the list)."""
    parts = urlsplit(url)
    seen: list[str | None] = []
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        reader = sock.makefile("rb")
        for _ in range(requests):
            try:
                sock.sendall(f"GET /health HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
                status = reader.readline()
            except ConnectionError:  # closed by the server: reset
                break
            if not status:  # closed by the server: end of stream
                break
            assert status.split()[1] == b"200", status
            headers = {}
            while (line := reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.strip().lower()] = value.strip()
            reader.read(int(headers["content-length"]))
            seen.append(headers.get("connection"))
    return seen


def test_the_nth_request_of_a_connection_is_answered_then_the_connection_closes(tmp_path):
    data = tmp_path / "data"
    store = SqliteStore(data)
    store.write(forum())
    store.close()
    with serving(data, api_workers="2", api_keepalive_requests="3") as url:
        assert answers_on_one_connection(url, 6) == [None, None, "close"]
        # A client that reconnects (as HTTP clients do) loses no answer.
        with httpx.Client(base_url=url) as client:
            answers = [client.get("/health") for _ in range(10)]
        assert [a.status_code for a in answers] == [200] * 10
        assert [a.headers.get("connection") for a in answers].count("close") == 3


def test_no_limit_keeps_the_connection_and_graphql_answers_close_too(tmp_path):
    data = tmp_path / "data"
    store = SqliteStore(data)
    store.write(forum())
    _, key = create_key(store, role=Role.SOURCING, organisation="M1")
    store.close()
    with serving(data, api_keepalive_requests="0", api_rate_per_second="0") as url:
        assert answers_on_one_connection(url, 6) == [None] * 6
    with serving(data, api_keepalive_requests="2", api_rate_per_second="0") as url:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:
            answers = [client.post("/graphql", json={"query": "{ me { role } }"}) for _ in range(4)]
        assert [a.json() for a in answers] == [{"data": {"me": {"role": "SOURCING"}}}] * 4
        assert [a.headers.get("connection") for a in answers] == [None, "close", None, "close"]
