"""The composition root: the one place that builds stores, connections and the
Celery app. Nothing connects at import time; callers ask for what they need."""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from graph.store import GraphStore
from tiergraph.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

    from cascade.engine import JobRunner
    from cascade.jobstore import JobStore


def open_store(settings: Settings | None = None) -> GraphStore:
    settings = settings or Settings()
    if settings.store == "neo4j":
        from graph.neo4j_store import Neo4jStore
        from graph.version_board import VersionBoard

        board = None
        if settings.neo4j_version_board:
            board = VersionBoard.from_url(settings.redis_url, settings.neo4j_database)
        return Neo4jStore.connect(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password,
            settings.neo4j_database,
            board=board,
            recheck_seconds=settings.neo4j_version_recheck_seconds,
        )
    from graph.sqlite_store import SqliteStore

    return SqliteStore(settings.data_dir)


def redis_client(settings: Settings):
    import redis

    return redis.Redis.from_url(settings.redis_url)


def make_celery(settings: Settings | None = None) -> Celery:
    from celery import Celery

    settings = settings or Settings()
    app = Celery(
        "tiergraph",
        broker=settings.redis_url,
        backend=settings.redis_url,
        include=["cascade.tasks", "exports.tasks"],
    )
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=7 * 24 * 3600,
        broker_transport_options={
            "visibility_timeout": settings.visibility_timeout,
            # Sweep for unacked tasks of dead workers often enough for that timeout
            # (kombu's default sweep is every 10 s x 10 = 100 s).
            "unacked_restore_interval": max(1, min(10, settings.visibility_timeout // 2)),
            "unacked_restore_throttle": 1,
        },
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    app.set_default()
    return app


@dataclass
class WorkerContext:
    """What tasks in one worker process share: built on first use, after fork."""

    store: GraphStore
    jobs: JobStore
    step_pause: float = 0.0
    runners: OrderedDict[str, JobRunner] = field(default_factory=OrderedDict)

    def runner(self, job: str) -> JobRunner:
        """Keep the last few jobs' walked networks in this process between steps."""
        from cascade.engine import JobRunner

        if job not in self.runners:
            self.runners[job] = JobRunner(self.store, self.jobs, job)
            while len(self.runners) > 2:
                self.runners.popitem(last=False)
        self.runners.move_to_end(job)
        return self.runners[job]


@cache
def _context_for(pid: int) -> WorkerContext:
    from cascade.jobstore import RedisJobStore

    settings = Settings()
    return WorkerContext(
        open_store(settings), RedisJobStore(redis_client(settings)), settings.cascade_step_pause
    )


def worker_context() -> WorkerContext:
    return _context_for(os.getpid())  # a forked child builds its own connections


@dataclass
class CeleryDispatcher:
    """Queues a job's first step on the Celery broker; job status lives in Redis."""

    app: Celery
    jobs: JobStore

    @classmethod
    def from_settings(cls, settings: Settings) -> CeleryDispatcher:
        from cascade.jobstore import RedisJobStore

        return cls(make_celery(settings), RedisJobStore(redis_client(settings)))

    def dispatch(self, job: str) -> None:
        if self.jobs.mark_once(job, "queued:1"):
            self.app.send_task("tiergraph.cascade.step", args=[job, 1])

    def send(self, task: str, *args: str) -> None:
        """Queue one named task (exports.tasks) with its arguments."""
        self.app.send_task(task, args=list(args))
