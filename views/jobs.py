"""A member's cascade jobs: start one, follow it. A job belongs to its member:
another member's job id is NOT_FOUND, as is one that never existed.

Two ways to run them: queued for the Celery workers (Neo4j deployments, status in
Redis), or in a background thread of the serving process (the embedded store,
status in a file every server process reads, cascade.jobstore.FileJobStore, or
in memory, gone when the process ends).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime
from typing import Any, Protocol

from access.principal import Principal, Role
from cascade.engine import CascadeError, JobRunner, JobSpec, new_job
from cascade.jobstore import JobStore, MemoryJobStore, process_token
from cascade.service import Dispatcher, queue
from exports.status import as_seen
from graph.store import GraphStore
from views.member import MEMBER_ROLES, member_view, not_found, require_role

log = logging.getLogger(__name__)


class Jobs(Protocol):
    """Where jobs run and keep their status."""

    jobs: JobStore

    def start(self, store: GraphStore, spec: JobSpec) -> str: ...


class InProcessJobs:
    """Each job in its own daemon thread of this process; status in `jobs` (default:
    in memory), with the process running it (a job whose process is gone is failed)."""

    def __init__(self, jobs: JobStore | None = None) -> None:
        self.jobs: JobStore = jobs if jobs is not None else MemoryJobStore()
        self.threads: dict[str, threading.Thread] = {}

    def start(self, store: GraphStore, spec: JobSpec) -> str:
        job = new_job(store, self.jobs, spec)
        self.jobs.update(job, runner=process_token())
        thread = threading.Thread(
            target=self._run, args=(store, job), name=f"cascade-{job[:8]}", daemon=True
        )
        self.threads[job] = thread
        thread.start()
        return job

    def _run(self, store: GraphStore, job: str) -> None:
        try:
            JobRunner(store, self.jobs, job).run_all()
        except Exception:  # noqa: BLE001 - a failed job says so in its status
            log.exception("cascade job %s failed", job)
            now = datetime.now(UTC).isoformat()
            # The client learns that it failed, not why (the server log has it whole).
            self.jobs.update(job, state="failed", error="the job failed", updated_at=now)
        finally:
            self.threads.pop(job, None)


class QueuedJobs:
    """Jobs queued for the Celery workers (tiergraph.bootstrap.CeleryDispatcher)."""

    def __init__(self, dispatcher: Dispatcher, jobs: JobStore):
        self.dispatcher = dispatcher
        self.jobs = jobs

    def start(self, store: GraphStore, spec: JobSpec) -> str:
        return queue(store, self.jobs, self.dispatcher, spec)


def run_cascade(
    *,
    principal: Principal,
    store: GraphStore,
    jobs: Jobs,
    requirement: str | None = None,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Sourcing only (analysts write nothing, and a job writes stored results):
    recompute the member's coverage (one requirement or all) and audit status."""
    require_role(principal, Role.SOURCING)
    view = member_view(principal=principal, store=store)
    if requirement is not None and requirement not in store.requirements_of(view.member):
        raise not_found("requirement", requirement)
    try:
        job = jobs.start(store, JobSpec(view.member, requirement, as_of))
    except CascadeError:
        raise not_found("organisation", view.member) from None
    return job_of(principal=principal, jobs=jobs, id=job)


def job_of(*, principal: Principal, jobs: Jobs, id: str) -> dict[str, Any]:
    """A job's state and progress, for its own member's people only."""
    require_role(principal, *MEMBER_ROLES)
    meta = jobs.jobs.meta(id)
    if meta is None or meta.get("member") != principal.member:
        raise not_found("job", id)
    return as_seen(meta)  # an export: expired, or its worker gone (exports.status)
