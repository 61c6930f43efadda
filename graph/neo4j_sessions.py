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


class _ThreadKept:
    """One thread's sessions, by (access mode, bookmarks): closed when the thread ends
    (its thread-local value goes, and with it the last reference to this)."""

    __slots__ = ("__weakref__", "sessions")

    def __init__(self) -> None:
        self.sessions: dict[tuple[str, bool], Any] = {}
        weakref.finalize(self, _close_all, self.sessions)


class ThreadSessions:
    """Per thread, a session for each (access mode, whether it keeps the driver's
    bookmarks) of one driver and database; those of a thread that ended are closed
    with it, the others by close()."""

    def __init__(self, driver: Any, database: str | None) -> None:
        self._driver = driver
        self._database = database
        self._local = threading.local()
        self._threads: weakref.WeakSet[_ThreadKept] = weakref.WeakSet()  # of live threads
        self._lock = threading.Lock()
        self._closed = False
        # A store dropped without close() (tests, short scripts): its sessions closed
        # with it, not left for the driver to warn about.
        weakref.finalize(self, _close_threads, self._threads)

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

    def open_sessions(self) -> list[Any]:
        """The sessions kept open now (those of threads still running)."""
        with self._lock:
            return [s for kept in list(self._threads) for s in list(kept.sessions.values())]

    def _session(self, mode: str, bookmarks: bool) -> Any:
        kept: _ThreadKept | None = getattr(self._local, "kept", None)
        if kept is None:
            kept = self._local.kept = _ThreadKept()
            with self._lock:
                self._threads.add(kept)
        session = kept.sessions.get((mode, bookmarks))
        if session is None:
            config: dict[str, Any] = {"database": self._database, "default_access_mode": mode}
            if bookmarks:
                config["bookmark_manager"] = self._driver.execute_query_bookmark_manager
            session = self._driver.session(**config)
            with self._lock:
                if self._closed:
                    session.close()
                    raise RuntimeError("the store is closed")
                kept.sessions[(mode, bookmarks)] = session
        return session

    def _drop(self, mode: str, bookmarks: bool, session: Any) -> None:
        with self._lock:
            self._local.kept.sessions.pop((mode, bookmarks), None)
        session.close()

    def close(self) -> None:
        """Close every session kept (between statements: none holds a connection)."""
        with self._lock:
            self._closed = True
        _close_threads(self._threads)


def _close_threads(threads: weakref.WeakSet[_ThreadKept]) -> None:
    for kept in list(threads):
        _close_all(kept.sessions)


def _close_all(sessions: dict[tuple[str, bool], Any]) -> None:
    while sessions:
        try:
            _, session = sessions.popitem()
        except KeyError:  # emptied meanwhile by another thread
            return
        session.close()
