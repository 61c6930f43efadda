"""Sessions for one-statement auto-commit transactions, one per thread and kind,
kept open and reused.

A session holds a connection only while a result is open (the driver gives it back
to the pool once the result is read to its end), so a kept session costs nothing
between statements; opening one per statement cost the driver's configuration of a
new session each time (bench/README.md, "neocpu"). A session is used by one thread
at a time (the driver's rule): each thread gets its own. One that raised is closed
and dropped: the next statement opens a fresh one.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from graph import read_scope


class ThreadSessions:
    """Per thread, a session for each (access mode, whether it keeps the driver's
    bookmarks) of one driver and database."""

    def __init__(self, driver: Any, database: str | None) -> None:
        self._driver = driver
        self._database = database
        self._local = threading.local()
        self._all: list[Any] = []  # every session opened, closed with close()
        self._lock = threading.Lock()
        self._closed = False
        # A store dropped without close() (tests, short scripts): its sessions closed
        # with it, not left for the driver to warn about.
        weakref.finalize(self, _close_all, self._all)

    def records(
        self, query: str, params: dict[str, Any], mode: str, bookmarks: bool = True
    ) -> list[Any]:
        """The records of `query` run in its own auto-commit transaction. With
        `bookmarks`, under the driver's bookmark manager, as execute_query runs
        (a read after this process's writes sees them on a cluster too)."""
        read_scope.check_io()
        session = self._session(mode, bookmarks)
        try:
            return list(session.run(query, params))
        except BaseException:
            self._drop(mode, bookmarks, session)
            raise

    def _session(self, mode: str, bookmarks: bool) -> Any:
        kept: dict[tuple[str, bool], Any] | None = getattr(self._local, "sessions", None)
        if kept is None:
            kept = self._local.sessions = {}
        session = kept.get((mode, bookmarks))
        if session is None:
            config: dict[str, Any] = {"database": self._database, "default_access_mode": mode}
            if bookmarks:
                config["bookmark_manager"] = self._driver.execute_query_bookmark_manager
            session = kept[(mode, bookmarks)] = self._driver.session(**config)
            with self._lock:
                if self._closed:
                    kept.clear()
                    session.close()
                    raise RuntimeError("the store is closed")
                self._all.append(session)
        return session

    def _drop(self, mode: str, bookmarks: bool, session: Any) -> None:
        self._local.sessions.pop((mode, bookmarks), None)
        with self._lock:
            if session in self._all:
                self._all.remove(session)
        session.close()

    def close(self) -> None:
        """Close every session kept (between statements: none holds a connection)."""
        with self._lock:
            self._closed = True
            sessions = list(self._all)
            self._all.clear()
        _close_all(sessions)


def _close_all(sessions: list[Any]) -> None:
    for session in list(sessions):
        session.close()
