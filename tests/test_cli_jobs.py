"""`tiergraph cascade status JOB` says what the API's job(id) says (an export past its
time to live `expired`, one whose worker died `queued` for a retry), on a real data
folder whose jobs the API started (jobs.db beside the embedded store)."""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from exports import jobs as export_jobs
from exports.status import STALE_SECONDS
from graph.sqlite_store import SqliteStore
from tests.api.member_client import data
from tests.views.forum import PRINCIPALS, forum
from tests.waiting import wait_for
from tiergraph.cli import app
from views.job_runners import jobs_for

runner = CliRunner()
START = 'mutation ($f: ExportFormat!) { startExport(format: $f, asOf: "2026-03-01") { id } }'
JOB = "query ($id: ID!) { job(id: $id) { state phase error } }"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERGRAPH_STORE", "embedded")
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TIERGRAPH_EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("TIERGRAPH_EXPORT_TTL_SECONDS", "1")
    opened = SqliteStore(tmp_path / "data")
    opened.write(forum())
    yield opened
    opened.close()


def api_job(store, job: str) -> dict:
    return data(store, PRINCIPALS["analyst"], JOB, id=job)["job"]


def cli_job(job: str) -> tuple[dict, str]:
    as_json = runner.invoke(app, ["cascade", "status", job, "--format", "json"])
    table = runner.invoke(app, ["cascade", "status", job])
    assert as_json.exit_code == table.exit_code == 0, as_json.stdout
    return json.loads(as_json.stdout), " ".join(table.stdout.split())


def started_export(store) -> str:
    job = data(store, PRINCIPALS["analyst"], START, f="csv")["startExport"]["id"]
    for thread in list(export_jobs.threads.values()):
        thread.join()
    return job


def test_an_expired_export_reads_expired_as_in_the_api(store):
    job = started_export(store)
    wait_for(lambda: api_job(store, job)["state"] == "expired", "the file to expire", timeout=30)
    shown, table = cli_job(job)
    assert shown["state"] == "expired" and shown["phase"] == "done"
    assert f"export job {job}: expired (done), member M1" in table


def test_an_export_whose_worker_died_reads_queued_for_a_retry_as_in_the_api(store):
    job = started_export(store)
    # As a killed worker leaves the record: running, its last heartbeat long past.
    jobs_for(store).jobs.update(
        job, state="running", phase="nodes", heartbeat_ts=time.time() - 10 * STALE_SECONDS
    )
    api = api_job(store, job)
    shown, table = cli_job(job)
    assert (shown["state"], shown["phase"], shown["error"]) == (
        api["state"],
        api["phase"],
        api["error"],
    )
    assert (api["state"], api["phase"]) == ("queued", "retry")
    assert f"export job {job}: queued (retry)" in table and "the worker writing it stopped" in table


def test_a_cascade_job_the_api_ran_reads_done(store):
    run = "mutation { runCascade { id } }"
    job = data(store, PRINCIPALS["sourcing"], run)["runCascade"]["id"]
    wait_for(lambda: api_job(store, job)["state"] == "done", "the cascade job")
    shown, table = cli_job(job)
    assert shown["state"] == "done" and shown["member"] == "M1"
    assert f"cascade job {job}: done, member M1, tier 3" in table


@pytest.mark.redis
@pytest.mark.parametrize("engine", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_a_job_cascade_queue_queued_reads_queued(request, tmp_path, monkeypatch, redis_url, engine):
    """`cascade queue` queues in Redis on either store; with no worker the job waits."""
    monkeypatch.setenv("TIERGRAPH_STORE", engine)
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TIERGRAPH_REDIS_URL", redis_url)
    opened = request.getfixturevalue("neo4j_store") if engine == "neo4j" else None
    opened = opened or SqliteStore(tmp_path / "data")
    opened.write(forum())
    queued = runner.invoke(app, ["cascade", "queue", "-m", "M1"])
    assert queued.exit_code == 0, queued.output
    job = queued.stdout.strip()
    said = " ".join(queued.stderr.split())
    assert (
        f"queued: a running `tiergraph worker` takes it (start one if none runs); `tiergraph cascade status {job}` follows it"
        in said
    )
    try:
        shown, table = cli_job(job)
        assert (shown["state"], shown["member"]) == ("queued", "M1")
        assert f"cascade job {job}: queued (walk), member M1, tier 0, 0 nodes" in table
        unknown = runner.invoke(app, ["cascade", "status", "f" * 32, "--format", "json"])
        assert unknown.exit_code == 2
        assert json.loads(unknown.stdout)["error"] == {
            "code": "bad_request",
            "message": f"unknown job {'f' * 32!r}",
            "field": None,
        }
    finally:
        from tiergraph.bootstrap import CeleryDispatcher
        from tiergraph.settings import Settings

        CeleryDispatcher.from_settings(Settings()).app.control.purge()
        if engine == "embedded":  # the Neo4j store's driver is the session's
            opened.close()
