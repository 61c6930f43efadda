"""Organisation id -> position, shared by a projection and those caught up from it.

Positions are stable and organisations are never removed (cascade.projection), so
the map only grows: a catch-up that appends organisations adds their ids to its
parent's map instead of copying it, and a projection ignores the entries at or past
its own size (added for a later version). Only the map's longest user may add to it
(a second catch-up from an older projection gets a map of its own, built when first
asked), checked under a lock, as cascade.growing does for arrays.

One dict look-up per id instead of a binary search through numpy (a call costs
microseconds whatever it searches): what a catch-up and a carried view ask per
version is a few ids, and this answers them without an O(n) step.
"""

from __future__ import annotations

import threading

import numpy as np

SEARCHED_FROM = 64  # more ids than this at once: one vectorised search is cheaper


class IdIndex:
    """id -> position for the ids of a projection (built on first use: O(n) once)."""

    def __init__(self, ids: np.ndarray) -> None:
        self._ids = ids
        self._of: dict[str, int] | None = None
        self._lock = threading.Lock()

    def _map(self) -> dict[str, int]:
        found = self._of
        if found is None:
            with self._lock:
                if self._of is None:
                    ids = self._ids.tolist()
                    self._of = dict(zip(ids, range(len(ids)), strict=True))
                found = self._of
        return found

    def get(self, org_id: str, size: int) -> int | None:
        """The position of `org_id` among the first `size` positions, else None."""
        at = self._map().get(org_id)
        return at if at is not None and at < size else None

    def get_many(self, wanted: list[str], size: int) -> tuple[list[int], list[bool]]:
        """(position of each id, 0 where absent; whether it is there)."""
        of = self._map()
        found = [of.get(w, size) for w in wanted]
        there = [at < size for at in found]
        return [at if ok else 0 for at, ok in zip(found, there, strict=True)], there

    def grown(self, size: int, ids: np.ndarray) -> IdIndex:
        """The index of `ids`, which are this index's first `size` ids and then new
        ones: this index itself with the new ids added when no other projection added
        any past `size` (else a new one, built when first asked)."""
        if len(ids) == size:
            return self
        with self._lock:
            of = self._of
            if of is not None and len(of) == size:
                new = ids[size:].tolist()
                of.update(zip(new, range(size, size + len(new)), strict=True))
                out = IdIndex(ids)
                out._of = of
                return out
        return IdIndex(ids)
