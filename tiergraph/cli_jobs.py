"""`tiergraph cascade status JOB`: a job (a cascade, or an export the API started) as
the API's `job(id)` reads it: an export past its time to live is `expired`, one whose
worker died is `queued` again (phase `retry`), by the same function (exports.status)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tiergraph.console import Format, FormatOpt, emit_json, fail, out
from tiergraph.stores import current_settings, open_store


def job_as_seen(job: str) -> dict[str, Any]:
    """The job's status where the API keeps it for this store (views.job_runners: Redis
    with Neo4j, `jobs.db` beside the embedded store), then, on the embedded store, in
    Redis (`cascade queue` queues there); refused (exit 2) when neither holds it."""
    from exports.status import as_seen
    from views.job_runners import jobs_for

    configured = current_settings()
    store = open_store(configured)
    try:
        meta = jobs_for(store).jobs.meta(job)
    finally:
        store.close()
    if meta is None and configured.store == "embedded":
        from tiergraph.cli_cascade import job_context

        meta = job_context(configured).jobs.meta(job)
    if meta is None:
        fail(f"unknown job {job!r}")
    return as_seen(meta)


def status(
    job: Annotated[str, typer.Argument(help="job id")], fmt: FormatOpt = Format.table
) -> None:
    """A job's state and progress (tier reached, nodes found; an export's rows), as the
    API's job(id) says it: an expired export `expired`, one whose worker died `queued`."""
    meta = job_as_seen(job)
    if fmt == Format.json:
        emit_json(meta)
        return
    kind, state, phase = meta.get("kind", "cascade"), meta["state"], meta["phase"]
    if kind == "export":
        total = meta.get("rows_total")
        done = f"{meta['rows_done']:,} of {'?' if total is None else f'{total:,}'} rows"
    else:
        done = f"tier {meta['tier']}, {meta['nodes']:,} nodes"
    state = state if phase == state else f"{state} ({phase})"
    out.print(
        f"{kind} job {job}: {state}, member {meta['member']}, {done}, updated {meta['updated_at']}"
    )
    if meta.get("error"):
        out.print(f"[red]{meta['error']}[/red]")
