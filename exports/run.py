"""One export, written here: to a path (the CLI), or as a job whose status the API's
`job(id)` shows while it runs (rows done of rows in all) and whose file it serves
when it is done (exports.service)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cascade import projection as projections
from cascade.jobstore import JobStore
from exports.formats import EXTENSION, ExportFormat, write
from exports.status import KIND, MAX_ATTEMPTS, STALE_SECONDS, gave_up, heartbeat
from exports.table import ExportTable, export_table
from graph.model import Kind
from graph.store import KIND_ORDER, GraphStore


class ExportError(Exception):
    """An export that cannot run as asked (an unknown member, a risk setting that
    cannot be used: `code` bad_setting and `field` its variable, as the CLI says)."""

    def __init__(self, message: str, code: str = "bad_request", field: str | None = None):
        super().__init__(message)
        self.code, self.field = code, field


@dataclass(frozen=True)
class Written:
    member: str
    format: ExportFormat
    as_of: date
    path: Path
    nodes: int
    edges: int
    bytes: int
    requirements: list[str]
    risk_absent: dict[str, str]  # risk components absent (their columns empty), with why

    def as_dict(self) -> dict[str, Any]:
        """The CLI's JSON shape (docs/cli.md)."""
        return {
            "member": self.member,
            "format": self.format.value,
            "as_of": self.as_of.isoformat(),
            "file": str(self.path),
            "nodes": self.nodes,
            "edges": self.edges,
            "bytes": self.bytes,
            "requirements": self.requirements,
            "risk_absent": self.risk_absent,
        }


def table_of(store: GraphStore, member: str, as_of: date) -> ExportTable:
    projection = projections.current(store)
    at = projection.position(member)
    if at is None or KIND_ORDER[int(projection.kind[at])] != Kind.MEMBER:
        raise ExportError(f"unknown member {member!r}")
    return export_table(store, projection, member, as_of)


def write_export(
    store: GraphStore,
    member: str,
    fmt: ExportFormat,
    as_of: date,
    path: Path,
    *,
    on_table: Callable[[ExportTable], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Write the member's export to `path`: to a file of its own beside it first,
    renamed when whole, so that `path` is never a half-written export (and two
    runs of one job, a task redelivered while the first still runs, never write
    into one file)."""
    from risk.service import BadSetting

    try:
        table = table_of(store, member, as_of)
    except BadSetting as exc:
        raise ExportError(str(exc), "bad_setting", exc.variable) from None
    if on_table:
        on_table(table)
    partial = path.with_name(f"{path.name}.{uuid.uuid4().hex[:12]}.part")
    try:
        write(fmt, table, partial, progress or (lambda _rows: None))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Written(
        member,
        fmt,
        as_of,
        path,
        table.node_count,
        table.edge_count,
        path.stat().st_size,
        table.requirements,
        table.risk.absent,
    )


def new_export_job(
    jobs: JobStore, member: str, fmt: ExportFormat, as_of: date, requirements: list[str]
) -> str:
    """Record a queued export job; returns its id (random: 128 bits)."""
    now = datetime.now(UTC)
    job = uuid.uuid4().hex
    jobs.update(
        job,
        kind=KIND,
        member=member,
        format=fmt.value,
        requirement=None,
        requirements=requirements,
        as_of=as_of.isoformat(),
        state="queued",
        phase="queued",
        steps_done=0,
        tier=0,
        nodes=0,
        rows_done=0,
        rows_total=None,
        created_at=now.isoformat(),
        created_ts=now.timestamp(),
        updated_at=now.isoformat(),
        error=None,
    )
    return job


def file_of(folder: Path, job: str, fmt: str) -> Path:
    return folder / f"{job}.{EXTENSION[ExportFormat(fmt)]}"


def run_export_job(
    store: GraphStore,
    jobs: JobStore,
    job: str,
    folder: Path,
    ttl: float,
    *,
    on_worker: bool = False,
    pause: float = 0.0,
) -> None:
    """Run a recorded export job to its end; idempotent: a job already done (a
    redelivered task) is left as it is, one interrupted is written again whole.
    `on_worker`: a Celery worker runs it; it keeps a heartbeat (exports.status), and
    a job started MAX_ATTEMPTS times already ends failed. `pause`: seconds before
    each step (prepare, each chunk), the workers' throttle."""
    meta = jobs.meta(job)
    if meta is None or meta.get("kind") != KIND or meta["state"] in ("done", "failed"):
        return
    lock = threading.Lock()  # the heartbeat's thread and this one update the same record

    def update(**fields: object) -> None:
        with lock:
            jobs.update(job, **fields)

    now = datetime.now(UTC).isoformat
    # A second delivery of an export a live worker is still writing (one that ran
    # past the visibility timeout) is not a new start: both write, the last whole wins.
    beat = meta.get("heartbeat_ts")
    alive = meta["state"] == "running" and beat is not None and beat + STALE_SECONDS >= time.time()
    attempts = int(meta.get("attempts", 0)) + (0 if alive else 1)
    if on_worker and attempts > MAX_ATTEMPTS:
        update(state="failed", error=gave_up(attempts - 1), updated_at=now())
        return
    folder.mkdir(parents=True, exist_ok=True)
    update(state="running", phase="prepare", attempts=attempts, error=None, updated_at=now())
    if on_worker:
        with heartbeat(update):
            _run(store, update, job, folder, ttl, meta, pause)
    else:
        _run(store, update, job, folder, ttl, meta, pause)


def _run(
    store: GraphStore,
    update: Callable[..., None],
    job: str,
    folder: Path,
    ttl: float,
    meta: dict[str, Any],
    pause: float,
) -> None:
    now = datetime.now(UTC).isoformat
    counts: dict[str, int] = {}
    if pause:
        time.sleep(pause)

    def on_table(table: ExportTable) -> None:
        counts.update(nodes=table.node_count, total=table.node_count + table.edge_count)
        update(rows_total=counts["total"], tier=table.view.network.depth, updated_at=now())

    steps = 0

    def progress(rows: int) -> None:
        nonlocal steps
        steps += 1
        phase = "nodes" if rows <= counts["nodes"] and rows < counts["total"] else "edges"
        nodes = min(rows, counts["nodes"])
        update(phase=phase, steps_done=steps, rows_done=rows, nodes=nodes, updated_at=now())
        if pause:
            time.sleep(pause)

    path = file_of(folder, job, meta["format"])
    fmt, day = ExportFormat(meta["format"]), date.fromisoformat(meta["as_of"])
    written = write_export(
        store, meta["member"], fmt, day, path, on_table=on_table, progress=progress
    )
    finished = datetime.now(UTC)
    expires = finished + timedelta(seconds=ttl)
    update(
        state="done",
        phase="done",
        steps_done=steps,
        rows_done=written.nodes + written.edges,
        rows_total=written.nodes + written.edges,
        nodes=written.nodes,
        edges=written.edges,
        bytes=written.bytes,
        risk_absent=written.risk_absent,
        updated_at=finished.isoformat(),
        expires_at=expires.isoformat(),
        expires_ts=expires.timestamp(),
    )
