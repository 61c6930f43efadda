"""Exports as jobs, on every store: who may start one and follow it, the file
served over HTTP to the same member's keys only (404 alike for anyone else, an
unknown id and an expired file), in a served process on the embedded store and
from a real Celery worker with Neo4j."""

from __future__ import annotations

import time

import httpx
import pytest

from access.keys import create_key
from exports import jobs as export_jobs
from tests.api.member_client import _client, data, key_of, refusal
from tests.exports.api_view import api_view
from tests.exports.read import read_export
from tests.served import serving
from tests.views.forum import AS_OF, PRINCIPALS, forum
from tests.waiting import wait_for

START = 'mutation ($f: ExportFormat!) { startExport(format: $f, asOf: "2026-03-01") { id kind state format } }'
JOB = "query ($id: ID!) { job(id: $id) { state phase rowsDone rowsTotal nodes download expiresAt error } }"
WHO_MAY_START = {
    "sourcing": "ok",
    "analyst": "ok",
    "other member": "ok",  # its own member's export
    "supplier inside": "FORBIDDEN",
    "supplier outside": "FORBIDDEN",
    "operator": "FORBIDDEN",
}
NOT_M1 = ("other member", "supplier inside", "supplier outside", "operator")


def join_threads() -> None:
    for thread in list(export_jobs.threads.values()):
        thread.join()


@pytest.fixture
def queued_on_celery(request, monkeypatch, tmp_path):
    """With Neo4j, startExport queues on Celery: Redis must answer, and the files'
    folder is this test's."""
    monkeypatch.setenv("TIERGRAPH_EXPORT_DIR", str(tmp_path / "exports"))
    if "neo4j" in request.node.callspec.params.get("engine_store", ""):
        monkeypatch.setenv("TIERGRAPH_REDIS_URL", request.getfixturevalue("redis_url"))


def test_who_may_start_an_export_and_follow_it(engine_store, queued_on_celery):
    engine_store.write(forum())
    started = {}
    for who, expected in WHO_MAY_START.items():
        if expected == "ok":
            job = data(engine_store, PRINCIPALS[who], START, f="csv")["startExport"]
            assert job["kind"] == "export" and job["format"] == "csv"
            started[who] = job["id"]
        else:
            assert refusal(engine_store, PRINCIPALS[who], START, f="csv")[0] == expected, who
    join_threads()
    m1_job = started["analyst"]
    for who in ("sourcing", "analyst"):
        job = data(engine_store, PRINCIPALS[who], JOB, id=m1_job)["job"]
        assert job["state"] in ("queued", "done")
    hidden = refusal(engine_store, PRINCIPALS["other member"], JOB, id=m1_job)
    absent = refusal(engine_store, PRINCIPALS["other member"], JOB, id="f" * 32)
    assert hidden[0] == absent[0] == "NOT_FOUND"
    assert hidden[1].replace(m1_job, "?") == absent[1].replace("f" * 32, "?")
    _purge(engine_store)


def _purge(store) -> None:
    from views.job_runners import jobs_for
    from views.jobs import QueuedJobs

    runner = jobs_for(store)
    if isinstance(runner, QueuedJobs):
        runner.dispatcher.app.control.purge()  # type: ignore[attr-defined]


def test_the_file_is_served_to_the_members_keys_only_then_expires(tmp_path):
    """`tiergraph serve` in its own process, on the embedded store."""
    from graph.sqlite_store import SqliteStore

    data_dir = tmp_path / "data"
    store = SqliteStore(data_dir)
    try:
        store.write(forum())
        keys = {
            who: create_key(store, role=p.role, organisation=p.organisation)[1]
            for who, p in PRINCIPALS.items()
        }
    finally:
        store.close()

    def ask(url: str, who: str, query: str, **variables) -> dict:
        answer = httpx.post(
            f"{url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {keys[who]}"},
            timeout=30,
        ).json()
        assert "errors" not in answer, answer
        return answer["data"]

    def get(url: str, path: str, who: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {keys[who]}"} if who else {}
        return httpx.get(f"{url}{path}", headers=headers, timeout=30)

    with serving(data_dir, quiet=True, export_ttl_seconds="20") as url:
        jobs = {f: ask(url, "analyst", START, f=f)["startExport"]["id"] for f in ("csv", "graphml")}
        done = {
            f: wait_for(
                lambda j=j: (d := ask(url, "sourcing", JOB, id=j)["job"])["state"] == "done" and d,
                f"{f} export",
            )
            for f, j in jobs.items()
        }
        for f, job in done.items():
            assert job["download"] == f"/exports/{jobs[f]}"
            assert job["rowsDone"] == job["rowsTotal"] == 13 and job["nodes"] == 6
            for who in ("analyst", "sourcing"):
                got = get(url, job["download"], who)
                assert got.status_code == 200, got.text
                assert f"tiergraph-M1-{AS_OF}" in got.headers["content-disposition"]
                path = tmp_path / f"{who}.{f}"
                path.write_bytes(got.content)
                read = read_export(path, f)
                assert read.order == ["M1", "S1", "S3", "S2", "S4", "F1"]
                assert read.nodes["S4"]["reason"] == "NOT_SHARED"
            unknown = get(url, "/exports/" + "f" * 32, "analyst")
            assert unknown.status_code == 404
            for who in NOT_M1:
                refused = get(url, job["download"], who)
                assert refused.status_code == 404, who
                assert refused.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
                assert refused.text.replace(jobs[f], "?") == unknown.text.replace("f" * 32, "?")
            assert get(url, job["download"], None).status_code == 401
        # Past its time to live: 404 like an unknown id, and the file is gone.
        first = done["csv"]
        wait_for(lambda: get(url, first["download"], "analyst").status_code == 404, "expiry", 90)
        assert not list((data_dir / "exports").glob(f"{jobs['csv']}*"))
        expired = ask(url, "analyst", JOB, id=jobs["csv"])["job"]
        assert expired["state"] == "expired" and expired["download"] is None
        assert expired["expiresAt"] == first["expiresAt"] and expired["rowsDone"] == 13


@pytest.mark.neo4j
@pytest.mark.redis
@pytest.mark.slow
def test_on_neo4j_a_celery_worker_writes_the_file(neo4j_store, redis_url, monkeypatch, tmp_path):
    import os

    import redis

    from tests.cascade.test_worker import start_worker, stop
    from tiergraph.settings import Settings

    redis.Redis.from_url(redis_url).flushdb()
    monkeypatch.setenv("TIERGRAPH_REDIS_URL", redis_url)
    monkeypatch.setenv("TIERGRAPH_EXPORT_DIR", str(tmp_path / "exports"))
    neo4j_store.write(forum())
    job = data(neo4j_store, PRINCIPALS["analyst"], START, f="jsonl")["startExport"]
    assert job["state"] == "queued"
    client = _client(neo4j_store)

    def get(who: str) -> httpx.Response:
        key = key_of(neo4j_store, PRINCIPALS[who])[0]
        return client.get(f"/exports/{job['id']}", headers={"Authorization": f"Bearer {key}"})

    waiting = get("analyst")  # no worker yet: the member's own export is not ready
    assert (
        waiting.status_code == 409
        and waiting.json()["errors"][0]["extensions"]["code"] == "NOT_READY"
    )
    for who in NOT_M1:
        assert get(who).status_code == 404, who
    settings = Settings(
        store="neo4j", neo4j_uri=os.environ["TIERGRAPH_NEO4J_URI"], redis_url=redis_url
    )
    worker = start_worker(settings)
    try:
        done = wait_for(
            lambda: (
                (j := data(neo4j_store, PRINCIPALS["sourcing"], JOB, id=job["id"])["job"])["state"]
                in ("done", "failed")
                and j
            ),
            "the worker",
        )
    finally:
        stop(worker)
    assert done["state"] == "done", done["error"]
    got = get("analyst")
    assert got.status_code == 200
    path = tmp_path / "m1.jsonl"
    path.write_bytes(got.content)
    read = read_export(path, "jsonl")
    api = api_view(neo4j_store, PRINCIPALS["analyst"], AS_OF)
    assert (
        read.order == api["order"]
        and read.nodes == api["nodes"]
        and set(read.edges) == api["edges"]
    )
    for who in NOT_M1:
        refused = get(who)
        assert refused.status_code == 404 and code_of(refused) == "NOT_FOUND", who


def code_of(response: httpx.Response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


def test_a_second_delivery_of_an_export_still_written_is_not_a_new_start(tmp_path):
    """A task handed to a second worker while the first still writes it (past the
    visibility timeout; its heartbeat fresh) runs without counting a start: an
    export at its last start is not failed for taking long."""
    from cascade.jobstore import MemoryJobStore
    from exports.formats import ExportFormat
    from exports.run import new_export_job, run_export_job
    from exports.status import MAX_ATTEMPTS
    from graph.sqlite_store import SqliteStore

    store = SqliteStore(tmp_path / "data")
    try:
        store.write(forum())
        jobs = MemoryJobStore()
        job = new_export_job(jobs, "M1", ExportFormat.csv, AS_OF, ["R1"])
        jobs.update(job, state="running", attempts=MAX_ATTEMPTS, heartbeat_ts=time.time())
        run_export_job(store, jobs, job, tmp_path / "exports", 60, on_worker=True)
    finally:
        store.close()
    meta = jobs.meta(job)
    assert meta is not None and (meta["state"], meta["attempts"]) == ("done", MAX_ATTEMPTS)
    assert (tmp_path / "exports" / f"{job}.zip").is_file()
