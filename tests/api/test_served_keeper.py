"""A served app (`tiergraph serve`: create_app(keep=True)) makes what requests keep
in memory before it answers the first one, and keeps it up with another process's
writes while no request comes (mutations.keeper); it stops doing so when it stops."""

from __future__ import annotations

import os
import threading
import time

from fastapi.testclient import TestClient

from api.app import create_app
from cascade import projection as projections
from graph import whole_builds
from graph.neo4j_store import Neo4jStore
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from loaders.generate import generate
from mutations import keeper, registration
from tests.cascade.scenario import scenario
from tests.cascade.test_catch_up_not_rebuild import written_elsewhere
from tests.waiting import wait_for


def other_process(store: GraphStore, tmp_path) -> GraphStore:
    if isinstance(store, SqliteStore):
        return SqliteStore(tmp_path / "data")  # the engine_store fixture's file
    assert isinstance(store, Neo4jStore)
    return Neo4jStore(store.driver)


def keepers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tiergraph-keep-up"]


def test_a_served_app_is_current_before_its_first_request_and_follows_other_writes(
    engine_store, tmp_path
):
    engine_store.write(scenario())
    other = other_process(engine_store, tmp_path)
    version = engine_store.graph_version()
    with TestClient(create_app(store=engine_store, keep=True)):
        assert projections.kept_version(engine_store) == version  # made before serving
        if isinstance(engine_store, Neo4jStore):
            assert engine_store.rows.version == version
        assert len(keepers()) == 1
        written_elsewhere(other, 3)
        wait_for(
            lambda: projections.kept_version(engine_store) == other.graph_version(),
            "the served app to take another process's writes in without a request",
            timeout=60,
        )
    assert keepers() == []
    if isinstance(other, SqliteStore):
        other.close()


def test_a_served_app_has_every_country_matching_index_before_its_first_registration(
    engine_store,
):
    """A first registration in a country builds no index in the request (the write
    mix's stalls: 0.1-1.4 s at 200,000 organisations, every write of the process
    queued behind it)."""
    batch = scenario()
    engine_store.write(batch)
    with TestClient(create_app(store=engine_store, keep=True)):
        before = whole_builds.counts()
        for org in batch.organisations:
            assert registration.indexed(engine_store, org.country, org.id)
            with registration.index_for(engine_store, org.country):
                pass
        assert whole_builds.counts() == before


def test_an_app_built_by_default_keeps_nothing_ahead(engine_store):
    engine_store.write(scenario())
    with TestClient(create_app(store=engine_store)):
        assert keepers() == []


def test_a_store_that_does_not_answer_is_said_once_not_every_second(neo4j_store, caplog):
    neo4j_store.write(scenario())
    store = Neo4jStore.connect(os.environ["TIERGRAPH_NEO4J_URI"])
    store.close()  # every read now fails, as when the database went away
    keeping = keeper.KeepUp(store, every=0.01).start()
    try:
        wait_for(lambda: len(caplog.records) >= 1, "the first warning", timeout=30)
        time.sleep(0.3)  # some 30 more turns
    finally:
        keeping.stop()
    said = [r for r in caplog.records if r.name == "mutations.keeper"]
    assert [r.getMessage() for r in said] == ["could not keep up with the store's writes"]


def test_the_builds_before_serving_are_logged_as_one_line_and_later_ones_each(engine_store, caplog):
    """Start-up says what it made in one line (not one per country: 48 at 200,000
    organisations buried uvicorn's "startup complete"); a build while serving is an
    operator's clue to a stall and keeps a line of its own."""
    batch = generate(nodes=400)
    engine_store.write(batch)
    countries = {o.country for o in batch.organisations}
    assert len(countries) > 3
    before = whole_builds.counts()
    with caplog.at_level("INFO", logger="tiergraph.builds"):
        keeper.prepare(engine_store)
    lines = [r.getMessage() for r in caplog.records if r.name == "tiergraph.builds"]
    assert len(lines) == 1, lines
    assert lines[0].startswith("ready to serve after ")
    assert f"matching index x{len(countries)} " in lines[0]
    made = whole_builds.counts()
    assert made.get("matching index", 0) - before.get("matching index", 0) == len(countries)

    caplog.clear()
    with caplog.at_level("INFO", logger="tiergraph.builds"):
        with registration.index_for(engine_store, "ZZ"):  # a country never built
            pass
    lines = [r.getMessage() for r in caplog.records if r.name == "tiergraph.builds"]
    assert len(lines) == 1, lines
    assert lines[0].startswith("whole build of the matching index ZZ")
