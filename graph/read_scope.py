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

On Neo4j the rows such a request reads (organisations, labels, audits) come from
the store's copy of them at the version the request saw (graph.neo4j_rows).
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

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
_no_io: contextvars.ContextVar[bool] = contextvars.ContextVar("read_scope_no_io", default=False)
_pin: contextvars.ContextVar[Pin | None] = contextvars.ContextVar("read_scope_pin", default=None)


class WouldWait(BaseException):
    """A store was asked for a round trip (or a wait) inside `without_io`. Not an
    Exception: no `except Exception` on the way turns it into an answer."""


NOT_ANSWERED = object()  # without_io's answer when the call needs a round trip


def without_io(
    store: Any,
    call: Callable[..., T],
    arguments: dict[str, Any],
    ready: Callable[[], bool] = lambda: True,
) -> T | object:
    """`call(**arguments)` on the caller's thread when it needs nothing but memory:
    a read-only request's call on a store that guards its I/O (`guards_io`: every
    round trip checks `check_io`, and `answers_in_memory()` says its rows are at
    hand), whose version this request has read or can take without waiting.
    NOT_ANSWERED when it would wait: call it again where it may (a worker thread). For read-only service calls only: one stopped half-way has
    changed nothing but caches, which hold only what a round trip would read.
    `ready()` first (checked without I/O too): False when what the call needs is not
    in memory yet (a projection to catch up, whose lock a worker thread may hold)."""
    if _scope.get() is None or not getattr(store, "guards_io", False):
        return NOT_ANSWERED
    token = _no_io.set(True)
    try:
        if not (ready() and store.answers_in_memory()):
            return NOT_ANSWERED  # before the call: nothing of it runs twice
        return call(**arguments)
    except WouldWait:
        return NOT_ANSWERED
    finally:
        _no_io.reset(token)


def check_io() -> None:
    """Called by a store before each round trip: WouldWait inside `without_io`."""
    if _no_io.get():
        raise WouldWait


def may_wait() -> bool:
    """False inside `without_io`: take a lock only if it is free (else WouldWait)."""
    return not _no_io.get()


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
            shared = _reads_of(store)
            if _no_io.get():  # only a read already made for this request, or none
                found = shared.taken(scope.began)
                if found is None:
                    raise WouldWait
            else:
                # A store that hears of writes (graph.version_board) checks cheaply first.
                read = getattr(store, "current_version", store.graph_version)
                found = shared.version(scope.began, read)
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

    def taken(self, began: float) -> str | None:
        """The version a request that began at `began` may take now without waiting."""
        with self._changed:
            last = self._last
        return last[1] if last is not None and last[0] >= began else None

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


def began() -> float:
    """When the current request's scope began (monotonic); +inf outside one (nothing
    read before now can answer for it)."""
    scope = _scope.get()
    return scope.began if scope is not None else float("inf")


def note(store: Any, current: str) -> None:
    """A version read later in the request (a catch-up's): what its later checks use.
    A version other than the one the request read may hold writes committed after
    the request began: from then on what answers for the request (Neo4j's row copy,
    `began`) must have been read after now, as late as that version."""
    scope = _scope.get()
    if scope is not None:
        if scope.versions.get(id(store)) not in (None, current):
            scope.began = time.monotonic()
        scope.versions[id(store)] = current


class Pin:
    """A mutation's pin: when it began, what its checks will ask that a store may read
    with its first read (`ahead`: name -> arguments), and what it read so (`read`)."""

    __slots__ = ("ahead", "began", "read")

    def __init__(self) -> None:
        self.began = time.monotonic()
        self.ahead: dict[str, Any] = {}
        self.read: dict[str, Any] = {}


@contextmanager
def pinned() -> Iterator[Pin]:
    """A mutation's checks, from here to its write: a store that keeps rows in memory
    may answer them from memory brought up to date once after now (on Neo4j one read
    of the kept changes, graph.neo4j_rows, instead of a round trip per check). Such
    answers hold every write committed before the pin; `unpin()` before writing
    (reads after the mutation's own write must see it)."""
    pin = Pin()
    token = _pin.set(pin)
    try:
        yield pin
    finally:
        _pin.reset(token)


def unpin() -> None:
    _pin.set(None)


def current_pin() -> Pin | None:
    return _pin.get()


def pin_began() -> float | None:
    """When the current pin began (monotonic); None outside one."""
    pin = _pin.get()
    return pin.began if pin is not None else None
