"""The embedded store's WAL checkpoints, in a thread of their own.

A process folds the WAL into the database once its commits changed
CHECKPOINT_ROWS rows (graph.sqlite_store). Run by the committing thread after its
turn, the checkpoint's fsyncs were still in the request's time, and on a served
process every write queued behind it in the one writer thread (the slow-request
log: `checkpoint=247.4` ms under load). Here a daemon thread with its own
connection runs it when asked: PASSIVE, so it waits for no reader and no writer,
and SQLite releases the GIL while it copies pages and syncs.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)
STOP_SECONDS = 5.0  # how long closing waits for a checkpoint under way


class Checkpointer:
    """A daemon thread running `PRAGMA wal_checkpoint(PASSIVE)` on `target` once per ask
    (several asks while one runs are one more checkpoint)."""

    def __init__(self, target: str, busy_seconds: float) -> None:
        self.target, self.busy_seconds = target, busy_seconds
        self._due = threading.Event()
        self._closed = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def ask(self) -> None:
        with self._lock:
            if self._closed:
                return
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="tiergraph-checkpoint", daemon=True
                )
                self._thread.start()
        self._due.set()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            thread = self._thread
        self._due.set()
        if thread is not None:
            thread.join(STOP_SECONDS)

    def _run(self) -> None:
        db = sqlite3.connect(self.target, uri=True, timeout=self.busy_seconds, isolation_level=None)
        try:
            while True:
                self._due.wait()
                self._due.clear()
                if self._closed:
                    return
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:  # the next ask tries again; SQLite's own is the net
                    log.warning("could not checkpoint the WAL", exc_info=True)
        finally:
            db.close()
