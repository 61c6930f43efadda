"""One read of the graph version per read-only request, and rows kept per version.

On Neo4j the version is a Bolt round trip (0.6 ms and more of the driver's CPU), and
a request's service calls each asked for it: 1-3 times a request. A read-only API
request opens a scope (`begin`) when it starts; the first check of the projection in
it reads the version and the later ones reuse it. That keeps docs/api.md's promise:
the version is read after the request began, so it holds every write committed
before it (a client's read after its own write, through any process, shows it).
Only the check whether the process's projection is current uses it; a catch-up or a
build reads the version itself, as before.

`RowCache` keeps rows (organisations, audits) read at one version for the requests
that saw that version: a row changes only through a write, and every write makes a
new version, so a row read at or after a version's read is current for it.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Scope:
    """The graph versions one request has read, per store (read from any thread: the
    request's worker threads get a copy of its context, with this same object)."""

    __slots__ = ("versions",)

    def __init__(self) -> None:
        self.versions: dict[int, str] = {}


_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("read_scope", default=None)


def begin(read_only: bool) -> None:
    """Start the current request's scope: a new one for a read-only request, none for
    one that may write (its reads after its own writes must read the version again)."""
    _scope.set(Scope() if read_only else None)


def end() -> None:
    _scope.set(None)


def version(store: Any) -> str:
    """The store's graph version: read once in a request's scope, every time outside."""
    scope = _scope.get()
    if scope is None:
        return str(store.graph_version())
    found = scope.versions.get(id(store))
    if found is None:
        found = scope.versions[id(store)] = str(store.graph_version())
    return found


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

    def __init__(self, key: Callable[[T], str], size: int = 100_000) -> None:
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
