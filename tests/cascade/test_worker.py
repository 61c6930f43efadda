"""Cascade jobs on a real Celery worker and Redis: progress while running, and
a worker killed mid-job whose successor finishes with the identical result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from cascade.engine import JobSpec
from cascade.service import job_status, latest, network_changed, run_here
from graph.model import GraphBatch, Sourcing
from loaders.generate import generate
from tests.cascade.scenario import DAY
from tests.factories import org
from tests.waiting import wait_for
from tiergraph.bootstrap import CeleryDispatcher
from tiergraph.settings import Settings

pytestmark = [pytest.mark.neo4j, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def settings(neo4j_store, redis_url, neo4j_driver) -> Settings:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    uri = os.environ["TIERGRAPH_NEO4J_URI"]
    return Settings(
        store="neo4j",
        neo4j_uri=uri,
        redis_url=redis_url,
        visibility_timeout=2,
        cascade_step_pause=0.4,
    )


def start_worker(settings: Settings) -> subprocess.Popen:
    env = {
        **os.environ,
        "TIERGRAPH_STORE": "neo4j",
        "TIERGRAPH_NEO4J_URI": settings.neo4j_uri,
        "TIERGRAPH_REDIS_URL": settings.redis_url,
        "TIERGRAPH_VISIBILITY_TIMEOUT": str(settings.visibility_timeout),
        "TIERGRAPH_CASCADE_STEP_PAUSE": str(settings.cascade_step_pause),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tiergraph.cli",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "warning",
        ],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(worker: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(worker.pid, sig)
    except ProcessLookupError:
        return
    worker.wait(timeout=30)


def payloads(store, member: str, requirements: list[str]) -> dict:
    got = {r: latest(store, "coverage", member, r)[0].payload for r in requirements}
    got["audits"] = latest(store, "audits", member, DAY.isoformat())[0].payload
    return got


def test_a_killed_worker_is_replaced_and_the_job_ends_identical(neo4j_store, settings):
    neo4j_store.write(generate(nodes=6000, members=3, seed=7))
    member = "M-ACME"
    requirements = neo4j_store.requirements_of(member)
    run_here(neo4j_store, JobSpec(member, as_of=DAY))
    expected = payloads(neo4j_store, member, requirements)

    dispatcher = CeleryDispatcher.from_settings(settings)
    from cascade.service import queue

    job = queue(neo4j_store, dispatcher.jobs, dispatcher, JobSpec(member, as_of=DAY))
    worker = start_worker(settings)
    try:
        seen = wait_for(
            lambda: (m := job_status(dispatcher.jobs, job))["steps_done"] >= 2 and m,
            "the job to walk two tiers",
            60,
        )
        assert seen["state"] == "running" and seen["tier"] >= 2 and seen["nodes"] > 0
    finally:
        stop(worker, signal.SIGKILL)  # the whole worker, mid-job: nothing acked
    killed_at = job_status(dispatcher.jobs, job)
    assert killed_at["state"] == "running"

    worker = start_worker(settings)
    try:
        done = wait_for(
            lambda: (m := job_status(dispatcher.jobs, job))["state"] in ("done", "failed") and m,
            "the job to finish on the new worker",
            240,  # a liveness bound, not a speed check: 39 s alone, over 90 s once in a full run
        )
    finally:
        stop(worker)
    assert done["state"] == "done", done.get("error")
    assert done["steps_done"] > killed_at["steps_done"]
    assert payloads(neo4j_store, member, requirements) == expected
    newest = latest(neo4j_store, "coverage", member, requirements[0])[0]
    assert newest.id.startswith(job)


def test_a_new_sub_supplier_queues_the_members_above_it(neo4j_store, settings):
    neo4j_store.write(generate(nodes=800, members=3, seed=3))
    supplier = next(
        s.seller
        for s in neo4j_store.export().sourcing
        if s.buyer == "M-ACME" and s.seller.startswith("S-")
    )
    neo4j_store.write(
        GraphBatch(organisations=[org("S-NEW")], sourcing=[Sourcing(supplier, "S-NEW", "cocoa")])
    )
    dispatcher = CeleryDispatcher.from_settings(settings)
    jobs = network_changed(neo4j_store, dispatcher.jobs, dispatcher, ["S-NEW"])
    members = sorted(job_status(dispatcher.jobs, j)["member"] for j in jobs)
    assert "M-ACME" in members
    all_members = [o.id for o in neo4j_store.export().organisations if o.kind == "member"]
    expected = sorted(m for m in all_members if "S-NEW" in _network(neo4j_store, m))
    assert members == expected
    worker = start_worker(settings)
    try:
        for j in jobs:
            wait_for(lambda j=j: job_status(dispatcher.jobs, j)["state"] == "done", f"job {j}", 90)
    finally:
        stop(worker)


def _network(store, member):
    from cascade.engine import walk

    return walk(store, member).tier
