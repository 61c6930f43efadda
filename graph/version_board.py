"""A token in Redis that every tiergraph writer of a Neo4j store sets anew after each
write commits (and before the write is answered), so that read-only API requests
can tell that their process's graph version is still current with a Redis GET
instead of a Bolt query (docs/api.md, "Consistency of reads").

Tokens are random (uuid4), never counters: a token is set once, so a reader that
reads the token it paired with its version read knows no write was announced since
that pairing, even across a Redis restart that lost the key (the first reader then
sets a fresh token, and every reader pairs anew). Unreachable Redis answers None:
the caller reads the version from Neo4j, never trusting what it held.

A write that keeps its change (every API mutation, a small load) announces the
change instead (its `Link`: the version it came
from, the version it made, its sequence number and its rows), on a sorted set
beside the token, the token left as it was: a reader whose version is still paired
with the token follows the links after its own sequence number, one Redis round
trip, and takes in their rows, without a Bolt read. Links are trusted only when
they lead without a gap (consecutive sequence numbers, each from the version the
one before made) from the reader's version through every link announced after it;
anything else (a gap: a write announced without a link, not announced, or
announced late) is read from Neo4j, as is every write that keeps no change
(bulk loads, `reset`: the token moves). Links are kept per database id (the
version node's, made anew when the database is wiped): the version numbers start
again after a wipe, and the links of the database before it lead nowhere. The id
of the last link's database is kept beside the token: a reader whose database it
is not (a wipe outside tiergraph, then a linked write) reads Neo4j. A reader that
follows links never trusts the token alone for a version read without a number or
a database id.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

log = logging.getLogger(__name__)

KEY = "tiergraph:graph-version-token"
FEED = ":links:"  # a database's links: the token's key, this, the database id
DATABASE = ":database"  # the last link's database id: the token's key, this
LINKS_KEPT = 256  # the newest links kept; a reader further behind reads Neo4j


class Link(NamedTuple):
    """One write's change as announced: from version `previous` to `token`, the
    graph's `seq`-th version, with the change's rows as the store keeps them."""

    seq: int
    previous: str
    token: str
    payload: bytes
    database: str = ""  # the database's id (which links it joins; not packed)

    def packed(self) -> bytes:
        return b"%d %s %s " % (self.seq, self.previous.encode(), self.token.encode()) + self.payload

    @classmethod
    def unpacked(cls, raw: bytes, database: str = "") -> Link:
        seq, previous, token, payload = raw.split(b" ", 3)
        return cls(int(seq), previous.decode(), token.decode(), payload, database)


class VersionRead(NamedTuple):
    """A version read from Neo4j: its token, its number and the database's id (None
    when the read did not give them: no link is followed from it)."""

    version: str
    seq: int | None = None
    database: str | None = None


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

    def announce(self, link: Link | None = None) -> bool:
        """After a write committed: its link, or (without one) a new token; False when
        Redis did not take it (the readers then see the write within their recheck
        bound, docs/api.md)."""
        try:
            if link is None:
                self.client.set(self.key, uuid.uuid4().hex)
                return True
            # No expiry on either key: under a maxmemory policy that evicts keys with
            # one first, links lost while the token stays would be trusted.
            feed = self.feed(link.database)
            pipe = self.client.pipeline(transaction=False)
            pipe.zadd(feed, {link.packed(): link.seq})
            pipe.zremrangebyrank(feed, 0, -LINKS_KEPT - 1)
            pipe.set(self.key + DATABASE, link.database)
            pipe.execute()
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
        return _text(found)

    def feed(self, database: str) -> str:
        """The key of a database's links."""
        return f"{self.key}{FEED}{database}"

    def links_after(self, database: str, seq: int) -> tuple[str, list[Link] | None] | None:
        """The token and the database's links announced after version number `seq`,
        by number (one round trip, the token asked first); the links None when the
        last link announced was another database's; None when Redis is down or there
        is no token (token() then makes one)."""
        if self._clock() < self._down_until:
            return None
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.get(self.key)
            pipe.get(self.key + DATABASE)
            pipe.zrangebyscore(self.feed(database), f"({seq}", "+inf")
            found, last, raw = pipe.execute()
        except Exception as exc:  # noqa: BLE001
            log.warning("Redis did not answer (%s): the graph version is read from Neo4j", exc)
            self._failed()
            return None
        if found is None:
            return None
        if last is not None and _text(last) != database:
            return _text(found), None
        return _text(found), [Link.unpacked(r, database) for r in raw]

    def close(self) -> None:
        self.client.close()

    def _failed(self) -> None:
        with self._lock:
            self._down_until = self._clock() + self.retry_seconds


def _text(value: bytes | str) -> str:
    """A Redis answer as text (a client made with decode_responses gives str)."""
    return value.decode() if isinstance(value, bytes) else value


# Under a steady stream of writes without links (or links that cannot be followed)
# nearly every check reads Neo4j anyway: after this many checks in a row that Redis
# did not spare, the next ones read Neo4j without asking Redis for SKIP_SECONDS
# (then ask again).
MISSES_BEFORE_SKIP = 8
SKIP_SECONDS = 0.2


class KnownVersion:
    """A process's last version read from Neo4j, with the board's token read just
    before it: while the token is the same (no write announced without a link since)
    and the read is younger than `recheck_seconds` (writes nobody announced: outside
    tiergraph, or while Redis was unreachable to their writer), it is the current
    version, or, when links were announced after it, the version they lead to
    (`follow` takes their changes in). While writes come faster than reads can
    follow (MISSES_BEFORE_SKIP Neo4j reads in a row), the token is not asked for a
    while: each check reads Neo4j, which is never less fresh."""

    def __init__(
        self,
        board: VersionBoard,
        recheck_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.board = board
        self.recheck_seconds = recheck_seconds
        self._clock = clock
        # (token, read at, what was read or links led to since: version, number,
        # database id)
        self._kept: tuple[str, float, VersionRead] | None = None
        self._writes = 0  # this process's writes: a pairing read across one is not kept
        self._lock = threading.Lock()
        self._misses = 0  # checks in a row that read Neo4j
        self._skip_until = float("-inf")

    def version(
        self,
        read: Callable[[], VersionRead],
        follow: Callable[[str, list[Link]], bool] | None = None,
    ) -> str:
        """The current version: `read` (a Neo4j round trip) only when the board cannot
        tell it; `follow(version, links)` takes in the changes of links that lead
        from the version held (False: it could not, and Neo4j is read)."""
        started, writes = self._clock(), self._writes
        if started < self._skip_until:
            return read().version  # the board moves at every check now: not asked
        kept = self._kept
        fresh = kept is not None and started - kept[1] < self.recheck_seconds
        # A reader that follows links trusts the token only with the links after its
        # version in hand: a linked write leaves the token as it was.
        token, links, asked = None, None, follow is None
        if kept is not None and fresh and follow is not None:
            at = kept[2]
            if at.seq is not None and at.database is not None:
                answer = self.board.links_after(at.database, at.seq)
                if answer is not None:
                    token, links = answer
                    asked = links is not None
        if token is None:
            token = self.board.token()
            if token is None:
                return read().version  # Redis down: never trust what was read before
        if kept is not None and fresh and kept[0] == token and asked:
            at = kept[2]
            if not links:
                self._misses = 0
                return at.version
            if (
                leads(at.version, at.seq, links)
                and follow is not None
                and follow(at.version, links)
            ):
                end = links[-1]
                with self._lock:
                    if self._kept is kept:  # else another check kept as new or newer
                        self._kept = (token, kept[1], VersionRead(end.token, end.seq, at.database))
                    self._misses = 0
                return end.token
        found = read()  # after the token: holds every write announced before it
        with self._lock:
            newer = self._kept is None or self._kept[1] <= started
            if newer and writes == self._writes:
                self._kept = (token, started, found)
            self._misses += 1
            if self._misses >= MISSES_BEFORE_SKIP:
                self._misses, self._skip_until = 0, started + SKIP_SECONDS
        return found.version

    def forget(self) -> None:
        """This process wrote without a link: its next read goes to Neo4j (even if
        Redis missed it)."""
        with self._lock:
            self._kept = None
            self._writes += 1


def leads(version: str, seq: int | None, links: list[Link]) -> bool:
    """Whether `links` (by number) lead without a gap from `version`, number `seq`,
    each from the version the one before made."""
    for link in links:
        if seq is None or link.seq != seq + 1 or link.previous != version:
            return False
        version, seq = link.token, link.seq
    return True
