"""Bulk work without the cyclic garbage collector.

Folding and indexing 100,000 names allocates millions of small tuples, strings and
lists, none of them in a cycle; the collector, triggered by the allocations, walks
every live object again and again (a quarter of the benchmark's time). Paused
for the duration of one call and restored after, as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
