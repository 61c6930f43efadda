"""One read of the graph version per read-only request, rows kept per version
(graph.read_scope), on both stores: a read after a write made through another
process (here: another store object on the same database, as another server
process or the CLI has) shows it, the organisation's details included."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from access.keys import create_key
from access.principal import Role
from api.app import create_app
from graph.model import GraphBatch
from graph.neo4j_store import Neo4jStore
from graph.read_scope import SharedReads
from graph.sqlite_store import SqliteStore
from tests.api.posting import count_version_reads, no_error_poster
from tests.factories import small_network
from tiergraph.settings import Settings

COMPARE_FAST_AND_PLAIN = False  # these tests count the store's version reads

ORGANISATION = '{ organisation(id: "S1") { id name tier } }'
PAGE = "{ network(first: 10) { nodes { id name tier } } }"
GAPS = (
    '{ auditGaps(asOf: "2026-03-01", first: 10) '
    "{ nodes { node { id name } reason audit { id validUntil } } totalCount } }"
)
READS = (ORGANISATION, PAGE, GAPS)


@pytest.fixture
def two(engine_store, tmp_path, monkeypatch):
    """(post, other, versions read): post as M1's sourcing key to an app on the
    store; `other` another store object on the same database, for the writes of
    'another process'; the list grows by one at each of the app's version reads."""
    monkeypatch.setenv("TIERGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    store = engine_store
    store.write(small_network())
    _, key = create_key(store, role=Role.SOURCING, organisation="M1")
    if isinstance(store, SqliteStore):
        other = SqliteStore(tmp_path / "data")
    else:
        other = Neo4jStore(store.driver, store.database)
    reads = count_version_reads(store)
    app = create_app(Settings(api_rate_per_second=0), store=store)
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:
        post = no_error_poster(client)
        yield post, other, reads
    if isinstance(other, SqliteStore):
        other.close()


def renamed(name: str, valid_until: str) -> GraphBatch:
    """S1 under a new name, its audit A1 valid until another day."""
    network = small_network()
    s1 = next(o for o in network.organisations if o.id == "S1")
    a1 = network.audits[0]
    return GraphBatch(
        organisations=[replace(s1, name=name)],
        audits=[replace(a1, valid_until=type(a1.valid_until).fromisoformat(valid_until))],
    )


@pytest.mark.parametrize("query", READS)
def test_a_read_only_request_reads_the_graph_version_once(two, query):
    post, _, reads = two
    post(query)  # the first builds the projection (its own reads of the version)
    reads.clear()
    post(query)
    assert len(reads) == 1


def test_every_read_after_a_write_through_another_process_shows_it(two):
    post, other, _ = two
    for query in READS:  # read once: rows kept for this version
        post(query)
    other.write(renamed("Renamed One", "2026-02-01"))
    assert post(ORGANISATION)["organisation"]["name"] == "Renamed One"
    page = {n["id"]: n["name"] for n in post(PAGE)["network"]["nodes"]}
    assert page["S1"] == "Renamed One"
    gaps = post(GAPS)["auditGaps"]["nodes"]
    s1 = next(g for g in gaps if g["node"]["id"] == "S1")
    # Expired on 2026-02-01: a gap as of 2026-03-01, with the audit that got furthest.
    assert (s1["node"]["name"], s1["reason"]) == ("Renamed One", "EXPIRED")
    assert s1["audit"] == {"id": "A1", "validUntil": "2026-02-01"}
    other.write(renamed("Renamed Two", "2027-01-09"))
    assert post(ORGANISATION)["organisation"]["name"] == "Renamed Two"
    assert "S1" not in {g["node"]["id"] for g in post(GAPS)["auditGaps"]["nodes"]}


def test_the_same_answers_with_rows_kept_as_read_afresh(two):
    post, _, _ = two
    first = [post(query) for query in READS]
    assert [post(query) for query in READS] == first


class Versions:
    """The store's version as a counter each write bumps, read through `read`, which
    can be held until released (a slow round trip)."""

    def __init__(self) -> None:
        self.current = 0
        self.reads = 0
        self.hold = threading.Event()
        self.hold.set()
        self.reading = threading.Event()

    def read(self) -> str:
        self.reads += 1
        seen = self.current  # what the read sees: the version when it ran
        self.reading.set()
        assert self.hold.wait(10)
        return str(seen)


def in_thread(call) -> tuple[threading.Thread, list]:  # type: ignore[no-untyped-def]
    out: list = []
    thread = threading.Thread(target=lambda: out.append(call()))
    thread.start()
    return thread, out


def test_a_request_never_takes_a_read_that_started_before_it_began():
    now = [0.0]
    shared, versions = SharedReads(clock=lambda: now[0]), Versions()
    versions.hold.clear()
    first, first_out = in_thread(lambda: shared.version(0.0, versions.read))
    assert versions.reading.wait(10)  # the read is in flight, started at 0
    versions.current = 1  # a write commits; a client that saw it sends a request
    now[0] = 1.0
    second, second_out = in_thread(lambda: shared.version(1.0, versions.read))
    versions.hold.set()
    first.join(10)
    second.join(10)
    assert first_out == ["0"]
    assert second_out == ["1"]  # its own read, after the one in flight ended
    assert versions.reads == 2


def test_requests_that_began_before_a_read_started_share_it():
    now = [5.0]
    shared, versions = SharedReads(clock=lambda: now[0]), Versions()
    versions.hold.clear()
    first, first_out = in_thread(lambda: shared.version(4.0, versions.read))
    assert versions.reading.wait(10)
    others = [in_thread(lambda b=began: shared.version(b, versions.read)) for began in (3.0, 5.0)]
    versions.hold.set()
    for thread, _ in [(first, first_out), *others]:
        thread.join(10)
    assert [out for _, out in others] == [["0"], ["0"]]
    assert versions.reads == 1
    assert shared.version(5.0, versions.read) == "0"  # still good for a request of 5.0
    assert versions.reads == 1
    assert shared.version(6.0, versions.read) == "0" and versions.reads == 2


def test_a_failed_read_is_not_taken_by_the_requests_waiting_for_it():
    shared, calls = SharedReads(), []

    def failing() -> str:
        calls.append(1)
        raise OSError("the store did not answer")

    with pytest.raises(OSError):
        shared.version(0.0, failing)
    assert shared.version(0.0, lambda: "7") == "7"
