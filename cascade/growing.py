"""Arrays that grow at their end without copying what they hold.

A projection is an immutable snapshot shared between threads, yet a catch-up that
registers an organisation appends one id, one kind and one CSR row to arrays of
200,000. `appended` returns the longer array as a view of a buffer with spare
capacity: the older snapshot's view ends where it ended, so what is written past
it is never seen through it. Only the longest view of a buffer may write into its
spare room (a second catch-up from an older snapshot copies instead), checked
under a lock, so two snapshots never share a written element they disagree on.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

import numpy as np

SPARE = 0.25  # room kept past the end, as a share of the length (plus SPARE_MIN)
SPARE_MIN = 1024
_lock = threading.RLock()  # reentrant: a buffer may be collected while it is held
# id(buffer) -> (the buffer, weakly; how many of its elements views have claimed)
_claimed: dict[int, tuple[weakref.ref[np.ndarray], int]] = {}


def appended(view: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`view` with `values` after it (np.concatenate's answer), written into the spare
    room of the buffer behind `view` when `view` is that buffer's longest view, else
    into a new buffer with room to spare. `view` itself never changes."""
    values = np.asarray(values)
    dtype = np.result_type(view, values)
    n, k = len(view), len(values)
    if k == 0:
        return view
    base = view.base
    with _lock:
        if isinstance(base, np.ndarray) and base.dtype == dtype and _owns(base, view):
            found = _claimed.get(id(base))
            if found is not None and found[0]() is base and found[1] == n and n + k <= len(base):
                base[n : n + k] = values
                _claimed[id(base)] = (found[0], n + k)
                return base[: n + k]
        buffer = np.empty(n + k + int((n + k) * SPARE) + SPARE_MIN, dtype=dtype)
        buffer[:n] = view
        buffer[n : n + k] = values
        _claimed[id(buffer)] = (weakref.ref(buffer, _forgotten(id(buffer))), n + k)
        return buffer[: n + k]


def _owns(base: np.ndarray, view: np.ndarray) -> bool:
    """Whether `view` is base[:len(view)] (the same start, one step)."""
    if base.ndim != 1 or view.ndim != 1 or view.strides != base.strides:
        return False
    return bool(view.__array_interface__["data"][0] == base.__array_interface__["data"][0])


def _forgotten(key: int) -> Callable[[weakref.ref[np.ndarray]], None]:
    """The callback that drops a collected buffer's entry."""

    def forget(_: weakref.ref[np.ndarray]) -> None:
        with _lock:
            found = _claimed.get(key)
            if found is not None and found[0]() is None:
                del _claimed[key]

    return forget
