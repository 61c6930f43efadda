"""The whole reads of the store a process makes to build what it keeps in memory
(the cascade's projection, a country's matching index, Neo4j's row copy): counted
per kind and logged with why and how long, at INFO on the "tiergraph.builds"
logger. Each one holds the GIL for 0.5-4 s at 200,000 organisations, with every
request of the process waiting: a served process should make them before it
serves or at the first request of a kind, never again while it keeps up with
the writes through the kept changes (tests and benches check the counts).

The builds a process makes before it serves (mutations.keeper.prepare: the
projection, the row copy, one index per stored country, 48 at 200,000
organisations) are logged as one line by kind (`summarised`), so that start-up
shows one line, not one per country; each is counted and logged at DEBUG.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from graph import request_parts

log = logging.getLogger("tiergraph.builds")
_counts: Counter[str] = Counter()
_lock = threading.Lock()
_local = threading.local()  # .summary: the thread's open summarised() Summary, if any


@dataclass
class Summary:
    """The builds made in a summarised() block, by kind: how many and their seconds."""

    made: dict[str, list[float]] = field(default_factory=dict)

    def line(self) -> str:
        """'projection 1.52 s; matching index x48 3.10 s (slowest 0.41 s)', by kind in
        the order they were first made."""
        parts = []
        for kind, seconds in self.made.items():
            many = f" x{len(seconds)}" if len(seconds) > 1 else ""
            most = f" (slowest {max(seconds):.2f} s)" if len(seconds) > 1 else ""
            parts.append(f"{kind}{many} {sum(seconds):.2f} s{most}")
        return "; ".join(parts) or "nothing to build"


@contextmanager
def summarised(what: str) -> Iterator[Summary]:
    """Builds made by this thread inside the block are counted as ever but logged
    at DEBUG; one INFO line at the end says `what` and sums them up by kind (or,
    when the block raised, that it stopped: the error is the caller's to log)."""
    summary, outer = Summary(), getattr(_local, "summary", None)
    _local.summary = summary
    start = time.perf_counter()
    done = False
    try:
        yield summary
        done = True
    finally:
        _local.summary = outer
        log.info(
            "%s after %.3f s of whole reads: %s",
            what if done else f"stopped by an error (not {what})",
            time.perf_counter() - start,
            summary.line(),
        )


@contextmanager
def timed(kind: str, reason: str, of: str = "") -> Iterator[None]:
    """Count and log one whole build of a `kind` ("projection", "matching index",
    "row copy"; `of` says which, a country), `reason` being why it was read whole
    ("first", "changes not kept"...)."""
    start = time.perf_counter()
    with request_parts.timing(f"build {kind}"):
        yield
    seconds = time.perf_counter() - start
    with _lock:
        _counts[kind] += 1
    summary: Summary | None = getattr(_local, "summary", None)
    if summary is not None:
        summary.made.setdefault(kind, []).append(seconds)
    log.log(
        logging.INFO if summary is None else logging.DEBUG,
        "whole build of the %s%s (%s) in %.3f s",
        kind,
        f" {of}" if of else "",
        reason,
        seconds,
    )


def counts() -> dict[str, int]:
    """Whole builds so far in this process, by kind."""
    with _lock:
        return dict(_counts)
