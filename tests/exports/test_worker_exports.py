"""Exports on real Celery workers with Neo4j and Redis: a worker killed in the
middle of an export does not leave the job `running` for ever (it reads queued for
a retry, says why, and the next worker writes the whole file again), a task whose
worker died at every start ends failed, and a finished file past its time to live
reads `expired` (docs/exports.md, "Jobs, downloads and expiry")."""

from __future__ import annotations

import os
import signal
import time

import httpx
import pytest

from exports.status import MAX_ATTEMPTS, STALE_SECONDS
from loaders.generate import REFERENCE_DAY, generate
from tests.api.member_client import _client, data, key_of
from tests.cascade.test_worker import start_worker, stop
from tests.exports.api_view import api_view
from tests.exports.read import read_export
from tests.views.forum import PRINCIPALS, forum
from tests.waiting import wait_for
from tiergraph.settings import Settings

pytestmark = [pytest.mark.neo4j, pytest.mark.redis, pytest.mark.slow]

START = "mutation ($f: ExportFormat!, $d: Date) { startExport(format: $f, asOf: $d) { id state } }"
JOB = """query ($id: ID!) { job(id: $id) {
  state phase rowsDone rowsTotal download expiresAt error } }"""


@pytest.fixture
def settings(neo4j_store, redis_url, monkeypatch, tmp_path) -> Settings:
    """Workers inherit the environment: the files' folder is this test's, and Redis
    hands an unacknowledged task to the next worker after 2 s."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    monkeypatch.setenv("TIERGRAPH_REDIS_URL", redis_url)
    monkeypatch.setenv("TIERGRAPH_EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("TIERGRAPH_VISIBILITY_TIMEOUT", "2")
    return Settings(
        store="neo4j",
        neo4j_uri=os.environ["TIERGRAPH_NEO4J_URI"],
        redis_url=redis_url,
        visibility_timeout=2,
    )


def job_of(store, principal, job: str) -> dict:
    return data(store, principal, JOB, id=job)["job"]


def get(store, principal, job: str) -> httpx.Response:
    key = key_of(store, principal)[0]
    return _client(store).get(f"/exports/{job}", headers={"Authorization": f"Bearer {key}"})


def test_a_worker_killed_mid_export_is_retried_and_the_file_is_whole(
    neo4j_store, settings, tmp_path
):
    neo4j_store.write(generate(nodes=1200, members=2, seed=5))
    member = "M-ACME"
    analyst = type(PRINCIPALS["analyst"])(PRINCIPALS["analyst"].role, member, "k-acme")
    day = REFERENCE_DAY.isoformat()
    job = data(neo4j_store, analyst, START, f="jsonl", d=day)["startExport"]["id"]
    # The workers' throttle: a pause before the prepare phase and after each chunk,
    # so that the export is surely running when its worker is killed.
    worker = start_worker(settings.model_copy(update={"cascade_step_pause": 3.0}))
    try:
        running = wait_for(
            lambda: (j := job_of(neo4j_store, analyst, job))["state"] == "running" and j,
            "the worker to start the export",
        )
    finally:
        stop(worker, signal.SIGKILL)  # the whole worker, mid-export: nothing acknowledged
    assert running["download"] is None
    killed = time.monotonic()

    # No worker: not `running` for ever. Once its heartbeat is stale it says so.
    retry = wait_for(
        lambda: (j := job_of(neo4j_store, analyst, job))["state"] != "running" and j,
        "the job to stop saying running",
        timeout=STALE_SECONDS + 30,
    )
    assert time.monotonic() - killed >= STALE_SECONDS - 3  # not before the heartbeat is stale
    assert (retry["state"], retry["phase"], retry["download"]) == ("queued", "retry", None)
    assert (
        "the worker writing it stopped" in retry["error"]
        and f"1 of {MAX_ATTEMPTS}" in (retry["error"])
    )
    refused = get(neo4j_store, analyst, job)
    assert refused.status_code == 409 and refused.json()["errors"][0]["extensions"]["code"] == (
        "NOT_READY"
    )
    assert not list((tmp_path / "exports").glob(f"{job}.jsonl"))  # never half a file

    worker = start_worker(settings)
    try:
        done = wait_for(
            lambda: (j := job_of(neo4j_store, analyst, job))["state"] in ("done", "failed") and j,
            "the next worker to write the export",
        )
    finally:
        stop(worker)
    assert done["state"] == "done" and done["error"] is None, done
    assert done["rowsDone"] == done["rowsTotal"] > 0
    got = get(neo4j_store, analyst, job)
    assert got.status_code == 200
    path = tmp_path / "acme.jsonl"
    path.write_bytes(got.content)
    read = read_export(path, "jsonl")
    api = api_view(neo4j_store, analyst, REFERENCE_DAY)
    assert read.order == api["order"] and read.nodes == api["nodes"]
    assert set(read.edges) == api["edges"]
    assert not list((tmp_path / "exports").glob("*.part"))


def test_an_export_whose_worker_died_at_every_start_ends_failed(neo4j_store, settings):
    from views.job_runners import jobs_for

    neo4j_store.write(forum())
    job = data(neo4j_store, PRINCIPALS["analyst"], START, f="csv")["startExport"]["id"]
    # As the record reads after MAX_ATTEMPTS starts whose workers were killed: its
    # last heartbeat long past.
    jobs_for(neo4j_store).jobs.update(
        job,
        state="running",
        phase="prepare",
        attempts=MAX_ATTEMPTS,
        heartbeat_ts=time.time() - 10 * STALE_SECONDS,
    )
    worker = start_worker(settings)
    try:
        failed = wait_for(
            lambda: (
                (j := job_of(neo4j_store, PRINCIPALS["sourcing"], job))["state"] == "failed" and j
            ),
            "the worker to give up",
        )
    finally:
        stop(worker)
    assert f"stopped {MAX_ATTEMPTS} times before its file was whole" in failed["error"]
    assert failed["download"] is None
    assert get(neo4j_store, PRINCIPALS["analyst"], job).status_code == 409


def test_a_file_past_its_time_to_live_reads_expired(neo4j_store, settings, monkeypatch):
    neo4j_store.write(forum())
    monkeypatch.setenv("TIERGRAPH_EXPORT_TTL_SECONDS", "3")
    job = data(neo4j_store, PRINCIPALS["analyst"], START, f="graphml")["startExport"]["id"]
    worker = start_worker(settings)
    try:
        done = wait_for(
            lambda: (j := job_of(neo4j_store, PRINCIPALS["analyst"], job))["state"] == "done" and j,
            "the worker to write the export",
        )
    finally:
        stop(worker)
    assert done["download"] == f"/exports/{job}"
    expired = wait_for(
        lambda: (j := job_of(neo4j_store, PRINCIPALS["analyst"], job))["state"] == "expired" and j,
        "the file to expire",
        timeout=30,
    )
    assert expired["download"] is None and expired["expiresAt"] == done["expiresAt"]
    assert expired["phase"] == "done" and expired["rowsDone"] == done["rowsDone"]
    never = "0" * len(job)
    gone, unknown = (
        get(neo4j_store, PRINCIPALS["analyst"], job),
        get(neo4j_store, PRINCIPALS["analyst"], never),
    )
    assert gone.status_code == unknown.status_code == 404
    assert gone.text.replace(job, "X") == unknown.text.replace(never, "X")
