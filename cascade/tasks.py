"""Celery tasks: thin, they take ids, re-check state and run one step each.

acks_late + reject_on_worker_lost: a worker killed mid-step leaves the message
unacked, so another worker runs that step again; steps are idempotent.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from celery import shared_task

from cascade.projection import GraphChanging

RETRY_AFTER_S = 5


@shared_task(name="tiergraph.cascade.step", acks_late=True, reject_on_worker_lost=True)
def cascade_step(job: str, step: int) -> str:
    from tiergraph.bootstrap import worker_context

    ctx = worker_context()
    if ctx.step_pause:
        time.sleep(ctx.step_pause)
    runner = ctx.runner(job)
    try:
        more = runner.run_step(step)
    except GraphChanging:  # a large load is committing: the same step, a little later
        cascade_step.apply_async((job, step), countdown=RETRY_AFTER_S)
        return "waiting"
    except Exception as exc:
        ctx.jobs.update(
            job,
            state="failed",
            error=f"{type(exc).__name__}: {exc}",
            updated_at=datetime.now(UTC).isoformat(),
        )
        raise
    # Queue the next step once: a redelivered step finds the mark and queues nothing.
    if more and ctx.jobs.mark_once(job, f"queued:{step + 1}"):
        cascade_step.delay(job, step + 1)
    return runner.meta["state"]
