"""The projection's disk copy written by a background thread, off the request path.

A catch-up that leaves the file SAVE_AFTER_CHANGES behind used to write it on the
request that made it (np.savez of 30 MB at 200,000 organisations: 8.7% of an API
process's samples under issue 12's write mix). Now it asks this thread, which
writes the store's latest projection when it gets to it (several asks while one
is pending are one write). The write is mostly buffer copies and CRCs that numpy,
zlib and the file layer do without the GIL. At exit the copies still owed (any
change taken in since the last) are written, bounded by EXIT_WAIT seconds, so a new
process starts from a recent copy and catches up through the changes the store
keeps (graph.store.CHANGES_KEPT).

How often (`Throttle`): a served process catches up at every write (about 60 a
second under issue 12's write mix), so after SAVE_AFTER_CHANGES changes each of
`serve --workers N` processes wrote the whole copy every 2 s, 5.7% of their CPU.
The copy only spares a new process reading the graph whole, so it is now written
at most once every SAVE_EVERY_SECONDS by all the processes that share the cache
folder together: a process skips the write when the file is younger than that
(whoever wrote it) or when another process holds the folder's write lock (an
`flock` on `.projection-save.lock`) and tries again SAVE_EVERY_SECONDS later. The
writes owed at exit and a build's write are not throttled.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from graph import request_parts

log = logging.getLogger(__name__)
EXIT_WAIT = 30.0  # seconds at exit for the pending writes
SAVE_EVERY_SECONDS = 60.0  # a caught-up copy is written at most this often per folder
LOCK_NAME = ".projection-save.lock"


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[bool]:
    """The cache folder's write lock, taken without waiting: True when this process
    holds it for the block, False when another one does (an `flock`, released when
    the block ends or the process dies)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class Throttle:
    """When a caught-up copy may be written again, per store (monotonic seconds):
    `due` is asked on the request path (a dict look-up), `wait` after a write or a
    write skipped because the file is fresh or another process is writing."""

    def __init__(self) -> None:
        self._not_before: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()

    def due(self, store: Any) -> bool:
        return time.monotonic() >= self._not_before.get(store, 0.0)

    def wait(self, store: Any, seconds: float) -> None:
        self._not_before[store] = time.monotonic() + seconds

    def file_age(self, path: Path) -> float:
        """Seconds since the file was written (any process); infinite when absent."""
        try:
            return max(0.0, time.time() - path.stat().st_mtime)
        except OSError:
            return float("inf")


class Saver:
    """One daemon thread calling `save(store)` for each store asked for, once per ask
    outstanding, oldest ask first."""

    def __init__(self, save: Callable[[Any], None]) -> None:
        self._save = save
        self._pending: dict[int, Any] = {}  # id(store) -> store, in the order asked
        self._busy = False
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def ask(self, store: Any) -> None:
        with self._changed:
            self._pending.setdefault(id(store), store)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="projection-save", daemon=True
                )
                self._thread.start()
            self._changed.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every write asked for is done; False if `timeout` came first."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._pending and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: bool(self._pending))
                key = next(iter(self._pending))
                store = self._pending.pop(key)
                self._busy = True
            try:
                with request_parts.process_timing("cache save"):
                    self._save(store)
            except Exception:  # noqa: BLE001 - a copy not written costs a build later
                log.warning("could not write the projection cache", exc_info=True)
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()
            del store


def at_exit(saver: Saver, ask_more: Callable[[], None]) -> None:
    """When the process exits normally: `ask_more` (the writes still owed), then wait
    for every pending write."""

    def finish() -> None:
        ask_more()
        saver.flush(EXIT_WAIT)

    atexit.register(finish)
