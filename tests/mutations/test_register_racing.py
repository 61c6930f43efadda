"""A registration whose matching index is ahead of what its other checks read.

Each served process keeps a matching index per country and, on Neo4j, a copy of
the rows; a registration checks against both. The process's keeper thread also
takes the store's writes into the indexes between requests, up to the newest
version: when another process had just registered a close name, a registration
could be matched against an organisation the row copy had not taken in yet, and
its answer (CHOOSE) left that candidate out. The row copy now follows the index
first (graph/neo4j_store.py, `changes_since`). On every store."""

from __future__ import annotations

import threading

import pytest

from graph.model import GraphBatch, Kind, Organisation
from graph.sqlite_store import SqliteStore
from mutations import registration, suppliers
from tests.factories import reopened
from tests.mutations.test_register_matching import S1, register, stored


@pytest.mark.parametrize("indexed", [True, False], ids=["index kept", "index made mid-request"])
def test_a_candidate_another_process_just_registered_is_offered(store, monkeypatch, indexed):
    """With the country's index kept from before (the keeper takes the other
    process's write into it), or made by this registration (it reads the newest
    organisations): either way the row copy follows, through the changes."""
    store.write(stored())
    other = reopened(store)  # another process
    register(store, "Kalamaro Tinopa Vesku Abadi", "ID")  # this process's row copy made
    country = "ID" if indexed else "MY"
    if not indexed:
        register(store, "Kalamaro Tinopa Vesku Abadi", "MY", principal=S1)
        registration._kept[store].pop("MY")  # as if never made in this process
    builds = getattr(getattr(store, "rows", None), "builds", None)
    match_one = suppliers.match_one
    close = Organisation("Y1", Kind.SUPPLIER, "Kalamaro Tinopa Vesku Makmur", country)

    def keeper_turn_first(store_, new, thresholds=None):
        # Mid-registration, its checks read: another process registers a close name,
        # then this process's keeper thread takes it into the index.
        monkeypatch.setattr(suppliers, "match_one", match_one)
        other.write(GraphBatch(organisations=[close]))
        version = other.graph_version()
        keeper = threading.Thread(target=registration.keep_up, args=(store_, version))
        keeper.start()
        keeper.join()
        assert registration.indexed(store_, country, "Y1") == indexed
        return match_one(store_, new, thresholds)

    monkeypatch.setattr(suppliers, "match_one", keeper_turn_first)
    got = suppliers.register_supplier(
        principal=S1,
        store=store,
        supplier={"name": "Kalamaro Tinopa Vesku Sejahtera", "country": country},
        commodity="palm oil",
    )
    assert got["outcome"] == "CHOOSE"
    offered = {c["id"]: (c["name"], c["score"]) for c in got["candidates"]}
    assert offered["Y1"] == ("Kalamaro Tinopa Vesku Makmur", 0.6)
    assert len(offered) == 2  # and the one this process registered
    if builds is not None:  # Neo4j: the copy followed the changes, not read whole again
        assert store.rows.builds == builds
    if isinstance(other, SqliteStore):
        other.close()


def test_an_identifier_holder_committed_mid_registration_is_the_answer(store, monkeypatch):
    """Another process registers the holder of the identifier after this registration
    began: the holders' read sees it, the row copy (brought to the registration's
    start on Neo4j) not yet. It answered INTERNAL (no holder to compare with) in one
    run of two of six suppliers racing on one LEI; now the holder is read from the
    store and is the answer."""
    from tests.mutations.test_register_matching import LEI as TAKEN

    store.write(stored())
    other = reopened(store)  # another process
    register(store, "Kalamaro Tinopa Vesku Abadi", "ID")  # this process's copies made
    lei = "213800RACEMILL000125"
    assert lei != TAKEN
    held_by = registration.held_by

    def holder_committed_first(store_, org):
        monkeypatch.setattr(registration, "held_by", held_by)
        other.write(
            GraphBatch(
                organisations=[Organisation("H1", Kind.SUPPLIER, "Alpha Grainworks", "GH", lei=lei)]
            )
        )
        return held_by(store_, org)

    monkeypatch.setattr(registration, "held_by", holder_committed_first)
    got = suppliers.register_supplier(
        principal=S1,
        store=store,
        supplier={"name": "Beta Tannery", "country": "GH", "lei": lei},
        commodity="cocoa",
    )
    assert (got["outcome"], got["organisation"]) == ("EXISTING", "H1")
    assert ("S1", "H1") in {(e.buyer, e.seller) for e in store.sellers_of("S1")}
    if isinstance(other, SqliteStore):
        other.close()
