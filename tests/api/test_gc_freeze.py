"""A served process freezes what it holds once started out of garbage collection
(docs/api.md, "Performance"), and gives it back when it stops; an app built for a
test or an embedding caller leaves the collector as it is."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from api.app import create_app
from graph.sqlite_store import SqliteStore


def test_a_served_app_freezes_while_it_runs_and_gives_back_at_shutdown(tmp_path):
    store = SqliteStore(tmp_path)
    before = gc.get_freeze_count()
    with TestClient(create_app(store=store, freeze_gc=True)) as client:
        assert client.get("/health").json()["status"] == "ok"
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0


def test_an_app_built_by_default_leaves_the_collector_alone(tmp_path):
    store = SqliteStore(tmp_path)
    with TestClient(create_app(store=store)) as client:
        assert client.get("/health").json()["status"] == "ok"
        assert gc.get_freeze_count() == 0
