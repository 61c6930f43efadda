"""One read of the graph version per read-only request, rows kept per version
(graph.read_scope), on both stores: a read after a write made through another
process (here: another store object on the same database, as another server
process or the CLI has) shows it, the organisation's details included."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from access.keys import create_key
from access.principal import Role
from api.app import create_app
from graph.model import GraphBatch
from graph.neo4j_store import Neo4jStore
from graph.sqlite_store import SqliteStore
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
    reads: list[str] = []
    read_version = store.graph_version

    def counted() -> str:
        version = read_version()
        reads.append(version)
        return version

    monkeypatch.setattr(store, "graph_version", counted)
    app = create_app(Settings(api_rate_per_second=0), store=store)
    with TestClient(app, headers={"Authorization": f"Bearer {key}"}) as client:

        def post(query: str) -> dict:
            body = client.post("/graphql", json={"query": query}).json()
            assert "errors" not in body, body
            return body["data"]

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
