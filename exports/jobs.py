"""Where export jobs run and their files live, per store: with Neo4j, queued for
the Celery workers (status in Redis, beside the cascade's jobs); on the embedded
store, in a background thread of the serving process (status in `jobs.db`, which
every server process reads). The files go to one folder, which the API and the
workers must share (docs/exports.md)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cascade.jobstore import JobStore, process_token
from exports.run import run_export_job
from graph.per_store import PerStore, per_store
from graph.store import GraphStore
from tiergraph.settings import Settings
from views.job_runners import jobs_for
from views.jobs import QueuedJobs

log = logging.getLogger(__name__)
TASK = "tiergraph.export.run"
FOLDER = "exports"


@dataclass(frozen=True)
class ExportPlace:
    """The folder of the finished files and how long each may be downloaded."""

    folder: Path
    ttl_seconds: float

    def sweep(self, now: float | None = None) -> int:
        """Delete the files older than the time to live (and half-written files
        left by a stopped process); returns how many."""
        now = time.time() if now is None else now
        gone = 0
        for path in self.folder.glob("*") if self.folder.is_dir() else ():
            try:
                if path.stat().st_mtime + self.ttl_seconds < now:
                    path.unlink()
                    gone += 1
            except FileNotFoundError:  # another process swept it first
                continue
        return gone

    def clear(self) -> int:
        """Delete every file (`tiergraph reset`); returns how many."""
        return self.sweep(now=float("inf"))


def place_from(settings: Settings, store: GraphStore) -> ExportPlace:
    path = getattr(store, "path", None)  # the embedded store's file (None: in memory)
    if settings.export_dir is not None:
        folder = settings.export_dir
    elif settings.store == "embedded" and isinstance(path, Path):
        folder = path.with_name(FOLDER)
    else:
        folder = settings.data_dir / FOLDER
    return ExportPlace(folder.resolve(), settings.export_ttl_seconds)


def _place_of(store: GraphStore) -> ExportPlace:
    from graph.sqlite_store import SqliteStore

    settings = Settings()
    if isinstance(store, SqliteStore):
        settings = settings.model_copy(update={"store": "embedded"})
    return place_from(settings, store)


_places: PerStore[ExportPlace] = per_store(_place_of)


def place_for(store: GraphStore) -> ExportPlace:
    """The store's export place, from the settings when first asked."""
    return _places.get(store)


def use_place(store: GraphStore, place: ExportPlace) -> None:
    """Keep this store's exports there (tests; an app that builds its own)."""
    _places.put(store, place)


def job_store(store: GraphStore) -> JobStore:
    return jobs_for(store).jobs


def start(store: GraphStore, job: str) -> None:
    """Run a recorded export job: queued for Celery, or in a thread here."""
    runner = jobs_for(store)
    place = place_for(store)
    if isinstance(runner, QueuedJobs):
        runner.dispatcher.send(TASK, job)  # type: ignore[attr-defined]
        return
    runner.jobs.update(job, runner=process_token())
    thread = threading.Thread(
        target=_run, args=(store, runner.jobs, job, place), name=f"export-{job[:8]}", daemon=True
    )
    threads[job] = thread
    thread.start()


threads: dict[str, threading.Thread] = {}  # running in this process (tests join them)


def _run(store: GraphStore, jobs: JobStore, job: str, place: ExportPlace) -> None:
    try:
        run_export_job(store, jobs, job, place.folder, place.ttl_seconds)
    except Exception:  # noqa: BLE001 - a failed job says so in its status
        log.exception("export job %s failed", job)
        now = datetime.now(UTC).isoformat()
        jobs.update(job, state="failed", error="the export failed", updated_at=now)
    finally:
        threads.pop(job, None)
