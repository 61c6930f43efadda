"""Where a request's time went, noted by the code it runs (the store's writers' turn
and transaction, whole builds) for api.slow_requests, which logs the slow ones.

The parts live in a context variable set per request: asyncio.to_thread and the
embedded store's writer thread run the service in a copy of the request's context,
so what they note lands on the same `Parts`. Outside a request nothing is noted.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Parts:
    """Seconds by part ("turn wait", "transaction", "checkpoint", "build ..."), and
    the CPU seconds of the threads the parts ran in, beside their wall seconds."""

    seconds: dict[str, float] = field(default_factory=dict)
    cpu: float = 0.0
    wall: float = 0.0

    def add(self, part: str, seconds: float) -> None:
        self.seconds[part] = self.seconds.get(part, 0.0) + seconds


_parts: ContextVar[Parts | None] = ContextVar("tiergraph_request_parts", default=None)


def begin() -> Parts:
    """New parts for the request running in this context."""
    parts = Parts()
    _parts.set(parts)
    return parts


@contextmanager
def timing(part: str) -> Iterator[None]:
    """Note the wall and thread CPU time of the block as `part` of the current request."""
    parts = _parts.get()
    if parts is None:
        yield
        return
    wall, cpu = time.perf_counter(), time.thread_time()
    try:
        yield
    finally:
        spent = time.perf_counter() - wall
        parts.add(part, spent)
        parts.wall += spent
        parts.cpu += time.thread_time() - cpu


# Work of the whole process that stops or slows every request running beside it
# (the cyclic garbage collector, the projection cache written in a thread holding
# the GIL), in seconds since the process started: a request's share is the
# difference between its end and its start.
_process: dict[str, float] = {}
_gc_started = 0.0


def process_seconds() -> dict[str, float]:
    """A copy of the process-wide seconds so far, by part."""
    return dict(_process)


@contextmanager
def process_timing(part: str) -> Iterator[None]:
    """Count the block's wall time as `part` of the whole process."""
    start = time.perf_counter()
    try:
        yield
    finally:
        _process[part] = _process.get(part, 0.0) + time.perf_counter() - start


def _collecting(phase: str, _info: dict) -> None:
    global _gc_started
    if phase == "start":
        _gc_started = time.perf_counter()
    else:
        _process["gc"] = _process.get("gc", 0.0) + time.perf_counter() - _gc_started


def time_collections() -> None:
    """Count the garbage collector's pauses as "gc" (once per process)."""
    if _collecting not in gc.callbacks:
        gc.callbacks.append(_collecting)
