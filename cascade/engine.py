"""One member's recomputation as a job of small steps.

Step k (k = 1, 2, ...) expands the frontier of tier k-1 into tier k on the
projection and saves the new nodes as checkpoint k (their positions, with the
graph version and numbering they are positions in: Projection.numbered_version);
the last step evaluates coverage, gaps
and audits and saves the results. Every step is idempotent: done again (a
worker died before acking it), it rewrites the same checkpoint or the same
results, so a resumed job ends identical to an uninterrupted one.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from cascade import projection as projections
from cascade.audits import audit_status
from cascade.coverage import coverage
from cascade.jobstore import JobStore
from cascade.network import Network
from cascade.projection import Projection
from graph import whole_builds
from graph.store import GraphStore, StoredResult


class CascadeError(Exception):
    """A job that cannot run as asked (unknown member, requirement not required...)."""


def root(projection: Projection, member: str) -> Network:
    """An unwalked network: the member alone, as the frontier."""
    at = projection.position(member)
    if at is None:
        raise CascadeError(f"unknown member {member!r}")
    return Network.rooted(projection, at)


def walked(projection: Projection, member: str, reason: str = "one-off") -> Network:
    """The whole network of a member, one tier at a time (counted and logged as a
    whole build, with `reason`: a member's kept view walks "first", then is carried
    through the changes, "not carried" when it could not be; a walk whose network is
    not kept, for a job, an export or the joint list, is "one-off")."""
    with whole_builds.timed("member walk", reason, member):
        network = root(projection, member)
        while not network.done:
            network.add_tier(network.next_tier(projection))
    return network


@dataclass(frozen=True)
class Tiers:
    """A member's network by organisation id: node -> tier (the member excluded)."""

    member: str
    tier: dict[str, int]
    depth: int


def walk(store: GraphStore, member: str) -> Tiers:
    projection = projections.current(store)
    network = walked(projection, member)
    return Tiers(member, network.tiers_by_id(projection), network.depth)


def evaluate(
    projection: Projection,
    network: Network,
    requirements: list[str],
    recognised: set[str],
    as_of: date,
    job_id: str,
    computed_at: str,
) -> list[StoredResult]:
    """Coverage and gaps for each requirement, and the member's audit status."""
    member = str(projection.ids[network.member])
    results = [
        StoredResult(
            f"{job_id}:coverage:{requirement}",
            "coverage",
            member,
            requirement,
            computed_at,
            coverage(projection, network, requirement),
        )
        for requirement in requirements
    ]
    status = audit_status(projection, network, recognised, as_of)
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


def tier_checkpoint(version: str, new: np.ndarray) -> dict[str, Any]:
    """A walk step's checkpoint: the new nodes' positions, good for one graph version
    in one numbering (`version`: Projection.numbered_version)."""
    raw = new.astype("<i4", copy=False).tobytes()
    return {"version": version, "new": base64.b64encode(raw).decode("ascii")}


def tier_from(checkpoint: dict[str, Any]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(checkpoint["new"]), dtype="<i4").astype(np.int32)


def check_required(member: str, requirement: str, required: list[str]) -> None:
    """Refuse a requirement the member does not REQUIRE, naming those it does."""
    if requirement not in required:
        raise CascadeError(
            f"{member!r} does not require {requirement!r} "
            f"(it requires: {', '.join(required) or 'nothing'})"
        )


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
    if spec.requirement is not None:
        check_required(spec.member, spec.requirement, required)
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
        self._network_at: tuple[int, str] = (0, "")  # (steps, graph version)

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.jobs.meta(self.job)
        if meta is None:
            raise CascadeError(f"unknown job {self.job!r}")
        return meta

    def network(self, projection: Projection, steps: int) -> Network:
        """The network after `steps` walk steps: kept, replayed from the checkpoints,
        or, if the graph changed since they were written, walked again on the
        current graph (and the checkpoints rewritten)."""
        if self._network is not None and self._network_at == (steps, projection.numbered_version):
            return self._network
        network = root(projection, self.meta["member"])
        checkpoints = [self.jobs.step(self.job, k) for k in range(1, steps + 1)]
        if all(c.get("version") == projection.numbered_version for c in checkpoints):
            for checkpoint in checkpoints:
                network.add_tier(tier_from(checkpoint))
        else:
            for k in range(1, steps + 1):
                new = network.next_tier(projection)
                self.jobs.put_step(self.job, k, tier_checkpoint(projection.numbered_version, new))
                network.add_tier(new)
        self._network, self._network_at = network, (steps, projection.numbered_version)
        return network

    def run_step(self, step: int, projection: Projection | None = None) -> bool:
        """Do step `step` unless it is done already; True while steps remain. On
        `projection` if given, else on the store's current one."""
        meta = self.meta
        if meta["state"] in ("done", "failed"):
            return False
        if meta["steps_done"] >= step:
            return True  # a redelivered or duplicate step: the work is in the checkpoint
        projection = projection or projections.current(self.store)
        network = self.network(projection, step - 1)
        now = datetime.now(UTC).isoformat()
        if not network.done:
            new = network.next_tier(projection)
            self.jobs.put_step(self.job, step, tier_checkpoint(projection.numbered_version, new))
            network.add_tier(new)
            self._network_at = (step, projection.numbered_version)
            self.jobs.update(
                self.job,
                state="running",
                phase="walk",
                steps_done=step,
                tier=network.depth,
                nodes=network.nodes,
                updated_at=now,
            )
            return True
        self.jobs.update(self.job, state="running", phase="evaluate", updated_at=now)
        results = evaluate(
            projection,
            network,
            meta["requirements"],
            self.store.recognised_schemes(meta["member"]),
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
        """Run the remaining steps here, in this process, all on the graph as it is
        when they start (a write meanwhile is for the next job, as if it had come
        just after this one)."""
        step = self.meta["steps_done"] + 1
        projection = projections.current(self.store)
        while self.run_step(step, projection):
            step += 1
            if on_step:
                on_step(self.meta)
        return self.meta
