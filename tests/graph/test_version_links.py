"""graph.version_board's links on the real Redis: a reader holding a version follows
the links announced after it (no Neo4j read) only when they lead there without a
gap; a gap, a link announced out of order, a write announced without a link (the
token moves) or Redis restarted without its data sends it to Neo4j, and whatever
it answers holds every write announced before the check. The "Neo4j" here is the
test's own chain of versions (tests/api/test_version_board.py checks the whole on
Neo4j)."""

from __future__ import annotations

import uuid

import pytest
import redis

from graph.version_board import LINKS_KEPT, KnownVersion, Link, VersionBoard, VersionRead

pytestmark = pytest.mark.redis


class Graph:
    """A chain of versions, as a database's writers make them: each write is the
    next number, from the version before."""

    def __init__(self) -> None:
        self.versions = [uuid.uuid4().hex]  # versions[seq]
        self.database = uuid.uuid4().hex
        self.reads = 0
        self.numbered = True

    def write(self) -> Link:
        self.versions.append(uuid.uuid4().hex)
        seq = len(self.versions) - 1
        payload = b"rows of %d" % seq
        return Link(seq, self.versions[seq - 1], self.versions[seq], payload, self.database)

    def wiped(self) -> None:
        """Emptied outside tiergraph: numbers start again, under a new database id."""
        self.versions, self.database = [uuid.uuid4().hex], uuid.uuid4().hex

    @property
    def current(self) -> str:
        return self.versions[-1]

    def read(self) -> VersionRead:
        self.reads += 1
        if not self.numbered:  # a version node an older tiergraph wrote last
            return VersionRead(self.current)
        return VersionRead(self.current, len(self.versions) - 1, self.database)


class Reader:
    """A process's KnownVersion and the changes it took in from links."""

    def __init__(self, board: VersionBoard, graph: Graph) -> None:
        self.known = KnownVersion(board, recheck_seconds=3600)
        self.graph = graph
        self.taken: list[bytes] = []

    def follow(self, version: str, links: list[Link]) -> bool:
        self.taken += [link.payload for link in links]
        return True

    def version(self) -> str:
        return self.known.version(self.graph.read, self.follow)


@pytest.fixture
def board(redis_url):
    client = redis.Redis.from_url(redis_url)
    made = VersionBoard(client, f"tiergraph:test:{uuid.uuid4().hex}")
    yield made
    client.delete(made.key, made.key + ":database", *client.keys(made.feed("*")))
    client.close()


def test_links_are_followed_without_reading_the_graph(board):
    graph = Graph()
    reader = Reader(board, graph)
    assert reader.version() == graph.current and graph.reads == 1
    for _ in range(3):
        assert board.announce(graph.write())
    board.announce(graph.write())
    assert reader.version() == graph.current
    assert graph.reads == 1
    assert reader.taken == [b"rows of 1", b"rows of 2", b"rows of 3", b"rows of 4"]
    assert reader.version() == graph.current  # nothing announced since: nothing taken
    assert graph.reads == 1 and len(reader.taken) == 4
    board.announce(graph.write())
    assert reader.version() == graph.current and reader.taken[-1] == b"rows of 5"


def test_a_gap_sends_the_reader_to_the_graph(board):
    graph = Graph()
    reader = Reader(board, graph)
    reader.version()
    graph.write()  # committed, its announcement lost (Redis missed it)
    board.announce(graph.write())
    assert reader.version() == graph.current  # read, not followed past the gap
    assert graph.reads == 2 and reader.taken == []
    board.announce(graph.write())  # and from the version read, links again
    assert reader.version() == graph.current and graph.reads == 2


def test_links_announced_out_of_order_are_followed_once_all_are_there(board):
    graph = Graph()
    reader = Reader(board, graph)
    reader.version()
    first, second = graph.write(), graph.write()
    board.announce(second)  # the first writer has not announced yet
    assert reader.version() == graph.current  # read: the second write shows
    assert graph.reads == 2
    board.announce(first)  # late: older than the version read, never taken in
    third = graph.write()
    board.announce(third)
    assert reader.version() == graph.current and graph.reads == 2
    assert reader.taken == [third.payload]


def test_a_write_without_a_link_moves_the_token(board):
    graph = Graph()
    reader = Reader(board, graph)
    reader.version()
    board.announce(graph.write())
    graph.write()  # a load: no link, the token moves
    board.announce()
    board.announce(graph.write())  # and a link after it: from the new version read
    assert reader.version() == graph.current and graph.reads == 2
    board.announce(graph.write())
    assert reader.version() == graph.current and graph.reads == 2


def test_links_of_a_wiped_database_do_not_hold_up_the_new_ones(board):
    """Numbers start again after a wipe: the old database's links (higher numbers,
    leading nowhere) are another key's, so the new ones are followed."""
    graph = Graph()
    reader = Reader(board, graph)
    for _ in range(5):
        board.announce(graph.write())
    graph.wiped()
    graph.write()  # the load after the wipe: announced without a link
    board.announce()
    assert reader.version() == graph.current and graph.reads == 1
    board.announce(graph.write())
    assert reader.version() == graph.current and graph.reads == 1
    assert reader.taken == [b"rows of 2"]


def test_a_version_read_without_its_number_is_never_trusted_alone(board):
    """A linked write leaves the token as it was: a reader whose version came without
    a number cannot ask for the links after it, so it reads the graph."""
    graph = Graph()
    graph.numbered = False
    reader = Reader(board, graph)
    reader.version()
    board.announce(graph.write())
    assert reader.version() == graph.current and graph.reads == 2
    graph.numbered = True
    reader.version()
    board.announce(graph.write())  # from a numbered version: followed
    assert reader.version() == graph.current and graph.reads == 3


def test_a_linked_write_to_a_database_wiped_outside_tiergraph_is_read(board):
    """Wiped with cypher-shell (nothing announced), then written through tiergraph:
    the link is the new database's, so a reader of the old one reads the graph."""
    graph = Graph()
    reader = Reader(board, graph)
    board.announce(graph.write())
    reader.version()
    graph.wiped()
    board.announce(graph.write())
    assert reader.version() == graph.current and graph.reads == 2
    board.announce(graph.write())  # and then follows the new database's links
    assert reader.version() == graph.current and graph.reads == 2


def test_a_redis_restart_without_its_data_sends_readers_to_the_graph(board):
    graph = Graph()
    reader = Reader(board, graph)
    reader.version()
    board.client.delete(board.key, board.feed(graph.database))
    graph.write()
    board.announce(graph.write())  # after the restart: a link whose chain is gone
    assert reader.version() == graph.current and graph.reads == 2


def test_a_reader_further_behind_than_the_links_kept_reads_the_graph(board):
    graph = Graph()
    reader = Reader(board, graph)
    reader.version()
    for _ in range(LINKS_KEPT + 1):
        board.announce(graph.write())
    assert board.client.zcard(board.feed(graph.database)) == LINKS_KEPT
    assert reader.version() == graph.current and graph.reads == 2


def test_a_link_the_reader_cannot_take_in_is_read_from_the_graph(board):
    graph = Graph()
    reader = Reader(board, graph)
    reader.version()
    reader.follow = lambda version, links: False  # type: ignore[method-assign]
    board.announce(graph.write())
    assert reader.version() == graph.current and graph.reads == 2


def test_link_packing_keeps_every_byte():
    link = Link(12, "a-b", "c-d", b"\x00 \xff payload with spaces", "db")
    assert Link.unpacked(link.packed(), "db") == link
