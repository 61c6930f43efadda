"""How long reads wait for the projection's catch-up lock (cascade.projection.current).

A read that finds a newer graph version takes the lock to catch the projection up;
one that finds another thread catching up waits, and then finds the work done (one
catch-up for every reader waiting, through every version written meanwhile: the
store's changes since the kept version, coalesced by cascade.delta). Counted per
process for bench/catch_up.py --readers: reads that took the lock, the seconds they
waited for it, and those whose catch-up another thread had done meanwhile. Nothing
is counted until `reset()` is called: a server that never measures keeps no list
growing with every catch-up.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Waits:
    taken: int = 0  # reads that took the lock (a version newer than the kept one)
    served: int = 0  # of those, found the projection caught up by another thread
    waited: list[float] = field(default_factory=list)  # seconds each waited for it
    counting: bool = False  # set by reset(): a measurement started
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, waited: float, served: bool) -> None:
        if not self.counting:
            return
        with self._lock:
            self.taken += 1
            self.served += served
            if len(self.waited) < 1_000_000:
                self.waited.append(waited)

    def reset(self) -> None:
        with self._lock:
            self.taken, self.served, self.waited = 0, 0, []
            self.counting = True


WAITS = Waits()
