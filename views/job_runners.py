"""Where the API's cascade and export jobs run, per store: queued on Celery with Neo4j (the
workers and `tiergraph cascade status` see them in Redis), in a background thread
of the serving process on the embedded store, their status in `jobs.db` beside the
store's file, so that every process of `tiergraph serve --workers N` answers
job(id) whichever started it."""

from __future__ import annotations

from cascade.jobstore import FileJobStore
from graph.per_store import PerStore, per_store
from graph.store import GraphStore
from tiergraph.settings import Settings
from views.jobs import InProcessJobs, Jobs, QueuedJobs

JOBS_FILE = "jobs.db"


def jobs_for(store: GraphStore) -> Jobs:
    return _jobs.get(store)


def use_jobs(store: GraphStore, jobs: Jobs) -> None:
    """Run the store's jobs this way (tests; an app that builds its own)."""
    _jobs.put(store, jobs)


def _build(store: GraphStore) -> Jobs:
    from graph.sqlite_store import SqliteStore

    if isinstance(store, SqliteStore):
        if store.path is None:  # a private in-memory database: this process only
            return InProcessJobs()
        return InProcessJobs(FileJobStore(store.path.with_name(JOBS_FILE)))
    from tiergraph.bootstrap import CeleryDispatcher
    from tiergraph.settings import Settings

    dispatcher = CeleryDispatcher.from_settings(Settings())
    return QueuedJobs(dispatcher, dispatcher.jobs)


_jobs: PerStore[Jobs] = per_store(_build)


def forget_jobs(store: GraphStore, settings: Settings) -> int:
    """Forget every job of the store (`tiergraph reset`: a job's status and results
    name organisations that are gone, and a member of the same id loaded later must
    not read them); how many there were. Embedded: `jobs.db` beside the store's file;
    Neo4j: the jobs in Redis (an error if Redis does not answer)."""
    from graph.sqlite_store import SqliteStore

    if isinstance(store, SqliteStore):
        if store.path is None or not store.path.with_name(JOBS_FILE).exists():
            return 0
        jobs = FileJobStore(store.path.with_name(JOBS_FILE))
        try:
            return jobs.clear()
        finally:
            jobs.close()
    from cascade.jobstore import RedisJobStore
    from tiergraph.bootstrap import redis_client

    return RedisJobStore(redis_client(settings)).clear()
