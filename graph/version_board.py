"""A token in Redis that every tiergraph writer of a Neo4j store sets anew after each
write commits (and before the write is answered), so that read-only API requests
can tell that their process's graph version is still current with a Redis GET
instead of a Bolt query (docs/api.md, "Consistency of reads").

Tokens are random (uuid4), never counters: a token is set once, so a reader that
reads the token it paired with its version read knows no write was announced since
that pairing, even across a Redis restart that lost the key (the first reader then
sets a fresh token, and every reader pairs anew). Unreachable Redis answers None:
the caller reads the version from Neo4j, never trusting what it held.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

KEY = "tiergraph:graph-version-token"


class VersionBoard:
    """The announcement token of one Neo4j database, in Redis."""

    def __init__(
        self,
        client: Any,
        key: str = KEY,
        retry_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.key = key
        # After a failure Redis is not asked again for this long (each read-only
        # request would otherwise wait for a connection that is refused or times out).
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._down_until = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, database: str | None = None) -> VersionBoard:
        import redis

        # Short timeouts: a Redis that does not answer must cost a request little.
        client = redis.Redis.from_url(url, socket_connect_timeout=0.2, socket_timeout=0.5)
        return cls(client, f"{KEY}:{database or 'default'}")

    def announce(self) -> bool:
        """A new token, after a write committed; False when Redis did not take it (the
        readers then see the write within their recheck bound, docs/api.md)."""
        try:
            self.client.set(self.key, uuid.uuid4().hex)
            return True
        except Exception as exc:  # noqa: BLE001 - any failure means the same: not announced
            log.warning(
                "the write was not announced in Redis (%s: %s): other processes' reads "
                "show it within TIERGRAPH_NEO4J_VERSION_RECHECK_SECONDS",
                self.key,
                exc,
            )
            self._failed()
            return False

    def token(self) -> str | None:
        """The current token (one made now when there is none); None when Redis is down."""
        if self._clock() < self._down_until:
            return None
        try:
            found = self.client.get(self.key)
            if found is None:  # never set, or lost with a Redis restart: a fresh one
                self.client.set(self.key, uuid.uuid4().hex, nx=True)
                found = self.client.get(self.key)
        except Exception as exc:  # noqa: BLE001
            log.warning("Redis did not answer (%s): the graph version is read from Neo4j", exc)
            self._failed()
            return None
        return found.decode() if isinstance(found, bytes) else found

    def close(self) -> None:
        self.client.close()

    def _failed(self) -> None:
        with self._lock:
            self._down_until = self._clock() + self.retry_seconds


# Under a steady stream of writes nearly every check finds the token moved and reads
# Neo4j anyway: after this many checks in a row that the token did not spare, the
# next ones read Neo4j without asking Redis for SKIP_SECONDS (then ask again).
MISSES_BEFORE_SKIP = 8
SKIP_SECONDS = 0.2


class KnownVersion:
    """A process's last version read from Neo4j, with the board's token read just
    before it: while the token is the same (no write announced since) and the read
    is younger than `recheck_seconds` (writes nobody announced: outside tiergraph,
    or while Redis was unreachable to their writer), it is the current version.
    While writes come faster than reads (MISSES_BEFORE_SKIP), the token is not asked
    for a while: each check reads Neo4j, which is never less fresh."""

    def __init__(
        self,
        board: VersionBoard,
        recheck_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.board = board
        self.recheck_seconds = recheck_seconds
        self._clock = clock
        self._kept: tuple[str, str, float] | None = None  # (token, version, read at)
        self._writes = 0  # this process's writes: a pairing read across one is not kept
        self._lock = threading.Lock()
        self._misses = 0  # checks in a row whose token did not spare the Neo4j read
        self._skip_until = float("-inf")

    def version(self, read: Callable[[], str]) -> str:
        """The current version: `read` (a Neo4j round trip) only when it may have
        changed since the last one."""
        started, writes = self._clock(), self._writes
        if started < self._skip_until:
            return str(read())  # the board moves at every check now: not asked
        token = self.board.token()
        if token is None:
            return str(read())  # Redis down: never trust what was read before
        kept = self._kept
        if kept is not None and kept[0] == token and started - kept[2] < self.recheck_seconds:
            self._misses = 0
            return kept[1]
        found = str(read())  # after the token: holds every write announced before it
        with self._lock:
            newer = self._kept is None or self._kept[2] <= started
            if newer and writes == self._writes:
                self._kept = (token, found, started)
            self._misses += 1
            if self._misses >= MISSES_BEFORE_SKIP:
                self._misses, self._skip_until = 0, started + SKIP_SECONDS
        return found

    def forget(self) -> None:
        """This process wrote: its next read goes to Neo4j (even if Redis missed it)."""
        with self._lock:
            self._kept = None
            self._writes += 1
