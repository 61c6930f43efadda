"""The small file beside the embedded store's database that its processes share:
writers take turns on it, readers learn from it that nothing was written.

- Turns: a writer holds an exclusive `flock` on the file for its whole IMMEDIATE
  transaction, taken before BEGIN IMMEDIATE. A writer that waits is woken by the
  kernel the moment the lock is let go, where SQLite's busy handler sleeps in
  growing steps (1, 2, 5, 10 ... 100 ms) and wakes late. SQLite's busy timeout
  stays as the safety net (a writer that does not take turns here: an older
  tiergraph, the sqlite3 shell).
- Writes seen: an 8-byte counter, mapped into memory, used as a sequence lock.
  A writer makes it odd before COMMIT and even (one more) after COMMIT or
  ROLLBACK, still holding its turn. A reader that sees the even number it saw
  when it last read the graph version knows that no write committed since and
  answers with that version, without a statement (no GIL hand-off, no read
  transaction); an odd number (a write under way, or a writer killed half-way)
  or another even number makes it read the version from the database.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import sqlite3
import struct
import time
from pathlib import Path

BOARD_SUFFIX = "-turns"  # store.db-turns, beside SQLite's own -wal and -shm
MAX_PAUSE = 0.002  # longest sleep between two tries for the turn, s
_COUNTER = struct.Struct("=Q")  # one aligned 8-byte word: read and written whole on x86-64


class Board:
    """The board of one database file, mapped once per process."""

    def __init__(self, database: Path):
        self.path = database.with_name(database.name + BOARD_SUFFIX)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size < _COUNTER.size:
                os.ftruncate(fd, _COUNTER.size)  # zeros: even, no write under way
            self._map = mmap.mmap(fd, _COUNTER.size)
        finally:
            os.close(fd)

    def counter(self) -> int:
        return _COUNTER.unpack_from(self._map, 0)[0]

    def begin_commit(self) -> None:
        """Before COMMIT (the turn held): readers stop trusting what they kept."""
        _COUNTER.pack_into(self._map, 0, self.counter() | 1)

    def end_commit(self) -> None:
        """After COMMIT or ROLLBACK (the turn held): even again, one more."""
        _COUNTER.pack_into(self._map, 0, (self.counter() | 1) + 1)

    def turn(self) -> Turn:
        """A handle on the writers' lock: one per connection (flock locks belong to an
        open file, so two threads with their own handles exclude each other too)."""
        return Turn(self.path)

    def close(self) -> None:
        self._map.close()


class Turn:
    """One connection's handle on the writers' lock; `waited` is the last wait, s."""

    def __init__(self, path: Path):
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        self.waited = 0.0

    def take(self, timeout: float) -> None:
        """Wait for the turn at most `timeout` seconds, then fail as SQLite's busy
        handler does ("database is locked"): a long load makes an API write fail
        after that instead of hanging its request. The wait polls in steps of at
        most 2 ms (a blocking flock cannot time out in a thread)."""
        started, pause = time.perf_counter(), 0.0001
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.waited = time.perf_counter() - started
                return
            except BlockingIOError:
                if time.perf_counter() - started >= timeout:
                    raise sqlite3.OperationalError(
                        f"database is locked: another write held the store for {timeout:g} s"
                    ) from None
                time.sleep(pause)  # GIL released
                pause = min(pause * 2, MAX_PAUSE)

    def give(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self.fd)
