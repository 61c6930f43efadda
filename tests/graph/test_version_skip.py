"""graph.version_board.KnownVersion under a stream of writes, on the real Redis: once
the token has moved at MISSES_BEFORE_SKIP checks in a row, checks read the version
without asking Redis for SKIP_SECONDS, every one of them still showing every write
announced before it; then Redis is asked again and, with no writes, spares the reads.
The version "read from Neo4j" is the test's own counter (the decision is what is
tested; tests/api/test_version_board.py checks the whole on Neo4j)."""

from __future__ import annotations

import uuid

import pytest
import redis

from graph.version_board import (
    MISSES_BEFORE_SKIP,
    SKIP_SECONDS,
    KnownVersion,
    VersionBoard,
    VersionRead,
)

pytestmark = pytest.mark.redis


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Graph:
    """The graph's version, as another process writes it and announces it."""

    def __init__(self, board: VersionBoard) -> None:
        self.board, self.version, self.reads = board, 0, 0

    def write(self) -> None:
        self.version += 1
        self.board.announce()

    def read(self) -> VersionRead:
        self.reads += 1
        return VersionRead(str(self.version))  # no number: no link is followed from it


class CountingRedis(redis.Redis):
    """The real client, counting the GETs it sends."""

    gets = 0

    def get(self, name):  # type: ignore[no-untyped-def, override]
        self.gets += 1
        return super().get(name)


@pytest.fixture
def client(redis_url):
    made = CountingRedis.from_url(redis_url)
    yield made
    made.close()


def gets(client: CountingRedis) -> int:
    return client.gets


def test_checks_between_writes_skip_redis_and_still_see_every_write(client):
    key = f"tiergraph:test:{uuid.uuid4().hex}"
    clock = Clock()
    known = KnownVersion(VersionBoard(client, key), recheck_seconds=3600, clock=clock)
    graph = Graph(VersionBoard(client, key))  # the writer: another board object
    try:
        before = gets(client)
        for _ in range(MISSES_BEFORE_SKIP):  # a write before every check
            graph.write()
            assert known.version(graph.read) == str(graph.version)
            clock.now += 0.001
        assert gets(client) - before >= MISSES_BEFORE_SKIP
        before, reads = gets(client), graph.reads
        for _ in range(20):  # within SKIP_SECONDS: Neo4j read, Redis not asked
            graph.write()
            assert known.version(graph.read) == str(graph.version)
            clock.now += SKIP_SECONDS / 40
        assert gets(client) == before
        assert graph.reads - reads == 20
        clock.now += SKIP_SECONDS  # past the window, no write since: Redis spares reads
        assert known.version(graph.read) == str(graph.version)
        reads = graph.reads
        for _ in range(5):
            clock.now += 0.01
            assert known.version(graph.read) == str(graph.version)
        assert graph.reads == reads
        graph.write()  # and a write is seen at the next check
        assert known.version(graph.read) == str(graph.version)
    finally:
        client.delete(key)


def test_reads_without_writes_never_skip_redis(client):
    key = f"tiergraph:test:{uuid.uuid4().hex}"
    clock = Clock()
    known = KnownVersion(VersionBoard(client, key), recheck_seconds=0.5, clock=clock)
    graph = Graph(VersionBoard(client, key))
    try:
        graph.write()
        for _ in range(200):  # 20 s of reads, a Neo4j read only at each recheck bound
            assert known.version(graph.read) == str(graph.version)
            clock.now += 0.1
        assert graph.reads <= 200 * 0.1 / 0.5 + 1
    finally:
        client.delete(key)
