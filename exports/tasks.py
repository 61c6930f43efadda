"""The Celery task of an export job: thin, it takes the job's id and runs it whole
(idempotent: a redelivered task finds the job done, or writes the file again)."""

from __future__ import annotations

from datetime import UTC, datetime

from celery import shared_task


@shared_task(name="tiergraph.export.run", acks_late=True, reject_on_worker_lost=True)
def export_run(job: str) -> str:
    from exports.jobs import place_for
    from exports.run import run_export_job
    from tiergraph.bootstrap import worker_context

    ctx = worker_context()
    place = place_for(ctx.store)
    try:
        run_export_job(
            ctx.store,
            ctx.jobs,
            job,
            place.folder,
            place.ttl_seconds,
            on_worker=True,
            pause=ctx.step_pause,
        )
    except Exception as exc:
        now = datetime.now(UTC).isoformat()
        ctx.jobs.update(job, state="failed", error=f"{type(exc).__name__}: {exc}", updated_at=now)
        raise
    meta = ctx.jobs.meta(job) or {}
    return str(meta.get("state", "unknown"))
