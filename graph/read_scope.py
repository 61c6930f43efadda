"""One read of the graph version per read-only request, and rows kept per version.

On Neo4j the version is a Bolt round trip (0.6 ms and more of the driver's CPU), and
a request's service calls each asked for it: 1-3 times a request. A read-only API
request opens a scope (`begin`) when it starts; the first check of the projection in
it reads the version and the later ones reuse it. That keeps docs/api.md's promise:
the version is read after the request began, so it holds every write committed
before it (a client's read after its own write, through any process, shows it).
On Neo4j with Redis reachable, "read" is first a Redis GET of the token every writer
sets anew after its commit (graph.version_board): the Bolt read only when it moved.
Only the check whether the process's projection is current uses it; a catch-up or a
build reads the version itself, as before.

`RowCache` keeps rows (organisations, audits) read at one version for the requests
that saw that version: a row changes only through a write, and every write makes a
new version, so a row read at or after a version's read is current for it.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from graph.per_store import PerStore, per_store

T = TypeVar("T")


class Scope:
    """The graph versions one request has read, per store (read from any thread: the
    request's worker threads get a copy of its context, with this same object), and
    when it began."""

    __slots__ = ("began", "versions")

    def __init__(self) -> None:
        self.began = time.monotonic()
        self.versions: dict[int, str] = {}


_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("read_scope", default=None)


def begin(read_only: bool) -> None:
    """Start the current request's scope: a new one for a read-only request, none for
    one that may write (its reads after its own writes must read the version again)."""
    _scope.set(Scope() if read_only else None)


def end() -> None:
    _scope.set(None)


def version(store: Any) -> str:
    """The store's graph version: read once in a request's scope, every time outside.
    On a store whose reads are round trips (`shared_version_reads`), the requests of
    a process share reads: each takes the first read that started after it began."""
    scope = _scope.get()
    if scope is None:
        return str(store.graph_version())
    found = scope.versions.get(id(store))
    if found is None:
        if getattr(store, "shared_version_reads", False):
            # A store that hears of writes (graph.version_board) checks cheaply first.
            read = getattr(store, "current_version", store.graph_version)
            found = _reads_of(store).version(scope.began, read)
        else:
            found = str(store.graph_version())
        scope.versions[id(store)] = found
    return found


class SharedReads:
    """At most one read of a store's version in flight per process. A request that
    began at `began` takes the latest read that started at or after `began` (that
    read holds every write committed before the request began: docs/api.md's promise),
    waiting for the one in flight when it started late enough, or for it to end and
    then reading (or waiting for whoever reads) again."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._changed = threading.Condition()
        self._last: tuple[float, str] | None = None  # (started, version) of the latest read
        self._reading: float | None = None  # when the read in flight started

    def version(self, began: float, read: Callable[[], str]) -> str:
        with self._changed:
            while True:
                if self._last is not None and self._last[0] >= began:
                    return self._last[1]
                if self._reading is None:
                    started = self._reading = self._clock()
                    break
                self._changed.wait()  # the read in flight ends: taken, or read anew
        try:
            found = str(read())
        except BaseException:
            with self._changed:
                self._reading = None
                self._changed.notify_all()  # a waiter reads again itself
            raise
        with self._changed:
            if self._last is None or self._last[0] < started:
                self._last = (started, found)
            self._reading = None
            self._changed.notify_all()
        return found


_shared: PerStore[SharedReads] = per_store(lambda store: SharedReads())


def _reads_of(store: Any) -> SharedReads:
    return _shared.get(store)


def seen(store: Any) -> str | None:
    """The version this request read of the store, if it is in a scope and read one."""
    scope = _scope.get()
    return scope.versions.get(id(store)) if scope is not None else None


def note(store: Any, current: str) -> None:
    """A version read later in the request (a catch-up's): what its later checks use."""
    scope = _scope.get()
    if scope is not None:
        scope.versions[id(store)] = current


class RowCache(Generic[T]):
    """Rows by id, read at one graph version, at most `size` of them. A request asks
    with the version it saw; another version empties the cache (versions are tokens,
    not ordered: each new one starts it anew). Rows read after a version was read
    hold every write before it (and perhaps later ones: the promise allows that)."""

    # Each kept row is an object a full garbage collection walks (gc.freeze covers
    # only what a process held at start): a page's rows and the recent lookups fit.
    def __init__(self, key: Callable[[T], str], size: int = 20_000) -> None:
        self.key = key
        self.size = size
        self._version: str | None = None
        self._rows: dict[str, T | None] = {}  # None: read, and absent at that version
        self._lock = threading.Lock()

    def rows(self, at: str, ids: Iterable[str], read: Callable[[list[str]], list[T]]) -> list[T]:
        """The known rows among `ids`, sorted by id: kept ones, the others `read`."""
        wanted = sorted(set(ids))
        with self._lock:
            if self._version != at:
                self._version, self._rows = at, {}
            kept = self._rows
        found = {i: kept[i] for i in wanted if i in kept}
        missing = [i for i in wanted if i not in found]
        if missing:
            read_now: dict[str, T | None] = dict.fromkeys(missing)
            read_now.update((self.key(r), r) for r in read(missing))
            found.update(read_now)
            with self._lock:
                if self._version == at:  # not emptied for another version meanwhile
                    if len(self._rows) + len(read_now) > self.size:
                        self._rows = {}
                    self._rows.update(read_now)
        return [row for i in wanted if (row := found[i]) is not None]
