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
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
EXIT_WAIT = 30.0  # seconds at exit for the pending writes


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
