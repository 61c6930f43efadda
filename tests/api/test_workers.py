"""`tiergraph serve --workers N`: several server processes on one port. On the
embedded store they share the SQLite file, and a cascade job started by one is
answered by every other (its status in jobs.db, cascade.jobstore.FileJobStore)."""

from __future__ import annotations

import time

import httpx
from fastapi.testclient import TestClient

from access.keys import create_key
from access.principal import Role
from api.app import create_app
from graph.sqlite_store import SqliteStore
from tests.served import serving
from tests.test_cli import _closed_port, run_console_script
from tests.views.forum import forum
from tiergraph.settings import Settings

RUN = 'mutation { runCascade(asOf: "2026-03-01") { id state } }'
JOB = "query ($id: ID!) { job(id: $id) { state phase nodes } }"


def post(client, key: str, query: str, **variables: str) -> dict:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {key}"}
    body = client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    answer = body.json()
    assert "errors" not in answer, answer
    return answer["data"]


def test_a_job_started_by_one_process_is_answered_by_another(tmp_path, monkeypatch):
    """Two apps, each with its own store object on one data folder, as two worker
    processes have: the second never saw the job start."""
    from views.job_runners import jobs_for

    monkeypatch.setenv("TIERGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    first, second = SqliteStore(tmp_path / "data"), SqliteStore(tmp_path / "data")
    first.write(forum())
    _, key = create_key(first, role=Role.SOURCING, organisation="M1")
    settings = Settings(api_rate_per_second=0)
    with (
        TestClient(create_app(settings, first)) as one,
        TestClient(create_app(settings, second)) as two,
    ):
        job = post(one, key, RUN)["runCascade"]
        for thread in list(jobs_for(first).threads.values()):  # type: ignore[attr-defined]
            thread.join(timeout=60)
        assert jobs_for(second).threads == {}  # type: ignore[attr-defined]
        assert post(two, key, JOB, id=job["id"])["job"] == {
            "state": "done",
            "phase": "done",
            "nodes": 5,
        }
    first.close()
    second.close()


def test_serve_with_two_workers_answers_and_follows_a_job(tmp_path):
    data = tmp_path / "data"
    store = SqliteStore(data)
    store.write(forum())
    _, key = create_key(store, role=Role.SOURCING, organisation="M1")
    store.close()
    with serving(data, api_workers="2", api_rate_per_second="0") as url:
        with httpx.Client(base_url=url) as client:
            job = post(client, key, RUN)["runCascade"]
        deadline = time.monotonic() + 60
        state = None
        while state != "done":  # a new connection each time: either process answers
            assert time.monotonic() < deadline, state
            with httpx.Client(base_url=url) as client:
                state = post(client, key, JOB, id=job["id"])["job"]["state"]
            time.sleep(0.05)
        for _ in range(20):  # and each knows the finished job
            with httpx.Client(base_url=url) as client:
                assert post(client, key, JOB, id=job["id"])["job"]["state"] == "done"


def test_reload_is_refused_with_several_workers(tmp_path):
    code, err = run_console_script(
        "serve", "--reload", "--workers", "2", "--port", str(_closed_port())
    )
    assert code == 2 and "--reload restarts one process" in err, err


def test_several_workers_need_a_store_that_answers_first(tmp_path):
    uri = f"bolt://127.0.0.1:{_closed_port()}"
    code, err = run_console_script(
        "serve", "--workers", "2", "--port", str(_closed_port()),
        TIERGRAPH_STORE="neo4j", TIERGRAPH_NEO4J_URI=uri,
    )  # fmt: skip
    assert code == 3 and f"Neo4j at {uri} does not answer" in err and "Traceback" not in err
