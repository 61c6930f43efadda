"""The whole reads of the store a process makes to build what it keeps in memory
(the cascade's projection, a country's matching index, Neo4j's row copy): counted
per kind and logged with why and how long, at INFO on the "tiergraph.builds"
logger. Each one holds the GIL for 0.5-4 s at 200,000 organisations, with every
request of the process waiting: a served process should make them before it
serves or at the first request of a kind, never again while it keeps up with
the writes through the kept changes (tests and benches check the counts).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from graph import request_parts

log = logging.getLogger("tiergraph.builds")
_counts: Counter[str] = Counter()
_lock = threading.Lock()


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
    log.info(
        "whole build of the %s%s (%s) in %.3f s", kind, f" {of}" if of else "", reason, seconds
    )


def counts() -> dict[str, int]:
    """Whole builds so far in this process, by kind."""
    with _lock:
        return dict(_counts)
