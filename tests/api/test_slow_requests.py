"""A request slower than api.slow_requests.SLOW_SECONDS is logged with its operation
and where its time went (the writers' turn, the transaction, whole builds), through
the real app on a real SQLite file."""

from __future__ import annotations

import logging

from fastapi.testclient import TestClient

from access.keys import create_key
from api.app import create_app
from graph.sqlite_store import SqliteStore
from tests.api.test_mutations_api import REGISTER, S1
from tests.views.forum import forum
from tiergraph.settings import Settings


def register(store: SqliteStore, caplog) -> list[str]:
    """The tiergraph.slow lines of one registerSupplier sent over the app."""
    _record, key = create_key(store, role=S1.role, organisation=S1.organisation)
    caplog.set_level(logging.INFO, logger="tiergraph.slow")
    with TestClient(create_app(Settings(api_rate_per_second=0), store=store)) as client:
        variables = {"s": {"name": "Volta Beans", "country": "GH"}}
        headers = {"Authorization": f"Bearer {key}"}
        answer = client.post(
            "/graphql", json={"query": REGISTER, "variables": variables}, headers=headers
        )
    assert answer.json()["data"]["registerSupplier"]["outcome"] == "CREATED"
    return [r.getMessage() for r in caplog.records if r.name == "tiergraph.slow"]


def test_a_slow_write_is_logged_with_where_its_time_went(tmp_path, monkeypatch, caplog):
    store = SqliteStore(tmp_path / "data")
    store.write(forum())
    monkeypatch.setattr("api.slow_requests.SLOW_SECONDS", 0.0)  # every request counts as slow
    try:
        lines = register(store, caplog)
    finally:
        store.close()
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("slow request registerSupplier in ")
    parts = ("turn wait=", "transaction=", "build matching index=", "match=", "rest=", "meanwhile")
    for part in parts:
        assert part in line


def test_a_request_within_the_limit_is_not_logged(tmp_path, monkeypatch, caplog):
    store = SqliteStore(tmp_path / "data")
    store.write(forum())
    monkeypatch.setattr("api.slow_requests.SLOW_SECONDS", 3600.0)
    try:
        assert register(store, caplog) == []
    finally:
        store.close()
