"""The cascade's service functions: start jobs, run them here, read results,
and queue recomputation when the network changes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Protocol, cast

from cascade import projection as projections
from cascade.audits import AuditStatus, audit_status, forum_savings
from cascade.engine import CascadeError, JobRunner, JobSpec, new_job, walked
from cascade.jobstore import JobStore, MemoryJobStore
from cascade.projection import Projection
from graph.model import GraphBatch, Kind
from graph.store import GraphStore, StoredResult


class Dispatcher(Protocol):
    """Hands a job's first step to whoever runs jobs (Celery, or nobody)."""

    def dispatch(self, job: str) -> None: ...


def run_here(
    store: GraphStore,
    spec: JobSpec,
    *,
    jobs: JobStore | None = None,
    on_step: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run a whole job in this process (the embedded default needs no broker)."""
    jobs = jobs or MemoryJobStore()
    job = new_job(store, jobs, spec)
    return JobRunner(store, jobs, job).run_all(on_step)


def run_members_here(
    store: GraphStore,
    as_of: date | None = None,
    *,
    jobs: JobStore | None = None,
    on_step: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Every member's job, one after the other in this process, all on one
    projection (the graph read once, or not at all when the kept one is current):
    each saves the results `run_here` saves, all in one write once the last is
    done. Returns the jobs' status, in member id order; `on_step` is told a job's
    status after each of its steps."""
    members = store.members()
    if not members:
        raise CascadeError("the store holds no members: load a network first")
    jobs = jobs or MemoryJobStore()
    created = [new_job(store, jobs, JobSpec(member, None, as_of)) for member in members]
    projection = projections.current(store)
    together = _ResultsSavedTogether(store)
    done = []
    try:
        for job in created:
            runner, step, more = JobRunner(cast(GraphStore, together), jobs, job), 1, True
            while more:
                more = runner.run_step(step, projection)
                step += 1
                if on_step:
                    on_step(runner.meta)  # after the last step too: its state is "done"
            done.append(runner.meta)
    finally:
        if together.pending:  # the members done, even when a later one failed
            store.save_results(together.pending)
    return done


class _ResultsSavedTogether:
    """The store, but the results the jobs save are kept and written in one
    `save_results` at the end: one transaction for every member's results."""

    def __init__(self, store: GraphStore):
        self._store = store
        self.pending: list[StoredResult] = []

    def save_results(self, results: list[StoredResult]) -> None:
        self.pending.extend(results)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def queue(store: GraphStore, jobs: JobStore, dispatcher: Dispatcher, spec: JobSpec) -> str:
    job = new_job(store, jobs, spec)
    dispatcher.dispatch(job)
    return job


def job_status(jobs: JobStore, job: str) -> dict[str, Any]:
    meta = jobs.meta(job)
    if meta is None:
        raise CascadeError(f"unknown job {job!r}")
    return meta


def latest(
    store: GraphStore, kind: str, member: str, key: str, history: int = 1
) -> list[StoredResult]:
    return store.results(kind, member, key, limit=history)


def live_audit_status(
    store: GraphStore, member: str, as_of: date, *, include_smallholders: bool = False
) -> AuditStatus:
    """Audit coverage and gaps of a member on any day, computed now."""
    kinds = store.kinds([member])
    if kinds.get(member) != Kind.MEMBER:
        raise CascadeError(f"unknown member {member!r}")
    return _audit_status_on(projections.current(store), store, member, as_of, include_smallholders)


def live_audit_statuses(
    store: GraphStore,
    as_of: date,
    *,
    include_smallholders: bool = False,
    on_member: Callable[[str], None] | None = None,
) -> list[AuditStatus]:
    """Every member's audit status on a day (members in id order), all on one
    projection; `on_member` is told each member once its status is computed."""
    projection = projections.current(store)
    statuses = []
    for member in store.members():
        statuses.append(_audit_status_on(projection, store, member, as_of, include_smallholders))
        if on_member:
            on_member(member)
    return statuses


def _audit_status_on(
    projection: Projection,
    store: GraphStore,
    member: str,
    as_of: date,
    include_smallholders: bool,
) -> AuditStatus:
    return audit_status(
        projection,
        walked(projection, member),
        store.recognised_schemes(member),
        as_of,
        include_smallholders=include_smallholders,
    )


def forum_savings_on(store: GraphStore, as_of: date) -> dict[str, Any]:
    """Every member's audit savings on a day, and the forum-wide figure."""
    statuses = live_audit_statuses(store, as_of)
    members = [
        {k: s.as_dict()[k] for k in ("member", "in_scope", "covered", "saved", "savings")}
        for s in statuses
    ]
    return {"as_of": as_of.isoformat(), "members": members, "forum": forum_savings(statuses)}


def affected_members(store: GraphStore, changed: Iterable[str]) -> set[str]:
    """Members whose network holds any changed node, or who changed themselves:
    a walk up the SOURCES_FROM edges, one tier of buyers per query."""
    refs = store.node_refs(set(changed))
    kinds = store.kinds(refs)
    members = {n for n, k in kinds.items() if k == Kind.MEMBER}
    seen, frontier = set(refs.values()), list(refs.values())
    member_refs: set[Any] = set()
    while frontier:
        _, buyers, buyer_kinds = store.sourcing_in(frontier)
        frontier = []
        for buyer, kind in zip(buyers, buyer_kinds, strict=True):
            if buyer not in seen:
                seen.add(buyer)
                frontier.append(buyer)
                if kind == Kind.MEMBER.value:
                    member_refs.add(buyer)
    return members | set(store.external_ids(member_refs).values())


def changed_nodes(batch: GraphBatch, store: GraphStore) -> set[str]:
    """The organisations whose members' results a written batch can change."""
    changed = {o.id for o in batch.organisations}
    changed |= {r.member for r in batch.requires} | {r.member for r in batch.shares}
    changed |= {r.member for r in batch.recognitions}
    changed |= {r.buyer for r in batch.sourcing}  # a new sub-supplier changes its buyer's chain
    changed |= {r.seller for r in batch.pass_on}
    changed |= {r.organisation for r in batch.adoptions} | {r.organisation for r in batch.audits}
    loaded = {a.id for a in batch.audits}
    stored_audits = {f.audit for f in batch.findings} - loaded
    if stored_audits:
        audits = store.audit_columns()
        covered = (
            o
            for a, o in zip(audits["id"], audits["organisation"], strict=True)
            if a in stored_audits
        )
        changed |= set(store.external_ids(covered).values())
    return changed


def network_changed(
    store: GraphStore, jobs: JobStore, dispatcher: Dispatcher, changed: Iterable[str]
) -> list[str]:
    """Queue one recomputation per affected member; returns the job ids."""
    return [
        queue(store, jobs, dispatcher, JobSpec(member))
        for member in sorted(affected_members(store, changed))
    ]
