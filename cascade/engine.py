"""One member's recomputation as a job of small steps.

Step k (k = 1, 2, ...) expands the frontier of tier k-1 into tier k and saves
the edges it read as checkpoint k; the last step evaluates coverage, gaps and
audits from the walked network and saves the results. Every step is
idempotent: done again (a worker died before acking it), it rewrites the same
checkpoint or the same results, so a resumed job ends identical to an
uninterrupted one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cascade.audits import audit_status
from cascade.coverage import coverage
from cascade.jobstore import JobStore
from cascade.network import Network, TierStep
from graph.model import AuditFacts
from graph.store import GraphStore, StoredResult


class CascadeError(Exception):
    """A job that cannot run as asked (unknown member, requirement not required...)."""


def walk_step(store: GraphStore, network: Network) -> TierStep:
    """Read every SOURCES_FROM edge out of the frontier: one query per tier."""
    src, dst, kinds = store.sourcing_out(network.frontier)
    return TierStep(src, dst, kinds)


def root(store: GraphStore, member: str) -> Network:
    """An unwalked network: the member's handle as the only frontier."""
    refs = store.node_refs([member])
    if member not in refs:
        raise CascadeError(f"unknown member {member!r}")
    return Network(refs[member])


def by_id(store: GraphStore, walked: Network) -> Network:
    """The walked network, its handles turned into organisation ids."""
    return walked.relabel(store.external_ids([walked.member, *walked.tier]))


def walk(
    store: GraphStore, member: str, on_tier: Callable[[Network], None] | None = None
) -> Network:
    """The whole network of a member, one tier at a time."""
    network = root(store, member)
    while not network.done:
        network.add_tier(walk_step(store, network))
        if on_tier:
            on_tier(network)
    return by_id(store, network)


def requirement_facts(
    store: GraphStore, requirements: list[str], ids: dict[Any, str]
) -> dict[str, tuple[set[tuple[str, str]], set[str]]]:
    """For each requirement: who passed it on to whom, and who adopted it, by
    organisation id, for the handles in `ids` (the rest lie outside the network)."""
    facts: dict[str, tuple[set[tuple[str, str]], set[str]]] = {
        r: (set(), {ids[o] for o in store.adopters(r) if o in ids}) for r in requirements
    }
    reqs, src, dst = store.pass_on_pairs(requirements)
    for r, v, w in zip(reqs, src, dst, strict=True):
        if v in ids and w in ids:
            facts[r][0].add((ids[v], ids[w]))
    return facts


def evaluate(
    store: GraphStore,
    walked: Network,
    requirements: list[str],
    as_of: date,
    job_id: str,
    computed_at: str,
) -> list[StoredResult]:
    """Coverage and gaps for each requirement, and the member's audit status;
    `walked` is the network as walked (by handles)."""
    ids = store.external_ids([walked.member, *walked.tier])
    network = walked.relabel(ids)
    member = network.member
    results = []
    facts = requirement_facts(store, requirements, ids)
    for requirement in requirements:
        passed, adopters = facts[requirement]
        result = coverage(network, requirement, passed, adopters)
        results.append(
            StoredResult(
                f"{job_id}:coverage:{requirement}",
                "coverage",
                member,
                requirement,
                computed_at,
                result.as_dict(),
            )
        )
    status = audit_status(
        network, network_audits(store, network), store.recognised_schemes(member), as_of
    )
    results.append(
        StoredResult(
            f"{job_id}:audits:{as_of.isoformat()}",
            "audits",
            member,
            as_of.isoformat(),
            computed_at,
            status.as_dict(),
        )
    )
    return results


def network_audits(store: GraphStore, network: Network) -> list[AuditFacts]:
    """The audits covering the network's nodes: past a few thousand nodes one read
    of every audit beats looking each node up."""
    if not network.tier:
        return []
    if len(network.tier) > 5000:
        return [a for a in store.audit_facts() if a.organisation in network.tier]
    return store.audit_facts(list(network.tier))


@dataclass
class JobSpec:
    member: str
    requirement: str | None = None
    as_of: date | None = None


def new_job(store: GraphStore, jobs: JobStore, spec: JobSpec) -> str:
    """Check the request and record a queued job; returns its id."""
    kinds = store.kinds([spec.member])
    if spec.member not in kinds:
        raise CascadeError(f"unknown member {spec.member!r}")
    if kinds[spec.member].value != "member":
        raise CascadeError(f"{spec.member!r} is a {kinds[spec.member]}, not a member")
    required = store.requirements_of(spec.member)
    if spec.requirement is not None and spec.requirement not in required:
        raise CascadeError(
            f"{spec.member!r} does not require {spec.requirement!r} "
            f"(it requires: {', '.join(required) or 'nothing'})"
        )
    now = datetime.now(UTC)
    job = uuid.uuid4().hex
    jobs.update(
        job,
        member=spec.member,
        requirement=spec.requirement,
        requirements=[spec.requirement] if spec.requirement else required,
        as_of=(spec.as_of or now.date()).isoformat(),
        state="queued",
        phase="walk",
        steps_done=0,
        tier=0,
        nodes=0,
        created_at=now.isoformat(),
        created_ts=now.timestamp(),
        updated_at=now.isoformat(),
        error=None,
    )
    return job


class JobRunner:
    """Runs the steps of one job; keeps the walked network between steps when
    it can, and rebuilds it from the checkpoints when it cannot (a new process)."""

    def __init__(self, store: GraphStore, jobs: JobStore, job: str):
        self.store, self.jobs, self.job = store, jobs, job
        self._network: Network | None = None
        self._network_steps = 0

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.jobs.meta(self.job)
        if meta is None:
            raise CascadeError(f"unknown job {self.job!r}")
        return meta

    def network(self, steps: int) -> Network:
        """The network after `steps` walk steps, replayed from checkpoints if need be."""
        if self._network is None or self._network_steps != steps:
            network = root(self.store, self.meta["member"])
            for k in range(1, steps + 1):
                network.add_tier(TierStep(**self.jobs.step(self.job, k)))
            self._network, self._network_steps = network, steps
        return self._network

    def run_step(self, step: int) -> bool:
        """Do step `step` unless it is done already; True while steps remain."""
        meta = self.meta
        if meta["state"] in ("done", "failed"):
            return False
        if meta["steps_done"] >= step:
            return True  # a redelivered or duplicate step: the work is in the checkpoint
        network = self.network(step - 1)
        now = datetime.now(UTC).isoformat()
        if not network.done:
            tier = walk_step(self.store, network)
            self.jobs.put_step(self.job, step, tier.as_dict())
            network.add_tier(tier)
            self._network_steps = step
            self.jobs.update(
                self.job,
                state="running",
                phase="walk",
                steps_done=step,
                tier=network.depth,
                nodes=len(network.tier),
                updated_at=now,
            )
            return True
        self.jobs.update(self.job, state="running", phase="evaluate", updated_at=now)
        results = evaluate(
            self.store,
            network,
            meta["requirements"],
            date.fromisoformat(meta["as_of"]),
            self.job,
            meta["created_at"],
        )
        self.store.save_results(results)
        self.jobs.update(
            self.job,
            state="done",
            phase="done",
            steps_done=step,
            updated_at=datetime.now(UTC).isoformat(),
            results=[r.id for r in results],
        )
        return False

    def run_all(self, on_step: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
        """Run the remaining steps here, in this process."""
        step = self.meta["steps_done"] + 1
        while self.run_step(step):
            step += 1
            if on_step:
                on_step(self.meta)
        return self.meta
