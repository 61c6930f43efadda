"""What an organisation is known by, on every store: abbreviation and location kept,
identifiers held by one organisation at most, and the lookups matching makes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from graph.model import GraphBatch, Organisation, Sourcing
from graph.store import IdentifierTaken, StoreError
from tests.factories import LEI, org, small_network

UML = "PO1000008590"


def test_abbreviation_and_location_read_back_and_an_upsert_clears_them(store):
    store.write(small_network())
    (s2,) = store.organisations(["S2"])
    assert (s2.abbreviation, s2.lat, s2.lon) == ("SCAD", 6.8276, -5.2893)
    store.write(GraphBatch(organisations=[org("S2", country="CI")]))
    (s2,) = store.organisations(["S2"])
    assert (s2.abbreviation, s2.lat, s2.lon) == (None, None, None)


def test_holders_names_who_holds_each_identifier_held(store):
    batch = small_network()
    batch.organisations.append(org("MILL", country="ID", mill_id=UML, duns="150483782"))
    store.write(batch)
    asked = [("lei", LEI), ("mill_id", UML), ("duns", "150483782"), ("duns", "999999999")]
    assert store.holders(asked) == {
        ("lei", LEI): "S1",
        ("mill_id", UML): "MILL",
        ("duns", "150483782"): "MILL",
    }
    assert store.holders([("gln", LEI)]) == {}  # a value counts under its own kind only
    assert store.holders([]) == {}


def test_match_candidates_are_every_organisation_of_the_country_whole(store):
    store.write(small_network())
    found = store.match_candidates("GH")
    assert [o.id for o in found] == ["F1", "S1", "S3"]
    assert found[0] == org("F1", "smallholder", lat=6.6885, lon=-1.6244)
    assert store.match_candidates("CI") == [
        org("S2", country="CI", abbreviation="SCAD", lat=6.8276, lon=-5.2893)
    ]
    assert store.match_candidates("FR") == []


def test_an_identifier_held_by_another_organisation_is_refused_and_nothing_written(store):
    store.write(small_network())
    before = store.export()
    batch = GraphBatch(
        organisations=[org("NEW"), org("COPY", lei=LEI)], sourcing=[Sourcing("S1", "NEW", "cocoa")]
    )
    with pytest.raises(IdentifierTaken) as caught:
        store.write(batch)
    taken = caught.value
    assert (taken.kind, taken.value, taken.organisation, taken.holder) == ("lei", LEI, "COPY", "S1")
    assert "S1" in str(taken) and LEI in str(taken)
    assert store.export() == before
    assert store.kinds(["NEW", "COPY"]) == {}


def test_two_organisations_of_one_batch_cannot_share_an_identifier(store):
    twins = GraphBatch(organisations=[org("A", mill_id=UML), org("B", mill_id=UML)])
    with pytest.raises(IdentifierTaken) as caught:
        store.write(twins)
    assert (caught.value.kind, caught.value.organisation, caught.value.holder) == (
        "mill_id",
        "B",
        "A",
    )
    assert store.counts()["suppliers"] == 0


def test_an_organisation_keeps_its_own_identifier_when_written_again(store):
    store.write(small_network())
    s1 = org("S1", lei=LEI)
    store.write(GraphBatch(organisations=[replace(s1, name="S1 renamed"), s1]))
    assert store.holders([("lei", LEI)]) == {("lei", LEI): "S1"}


def test_a_batch_may_move_an_identifier_its_holder_gives_up(store):
    """A correction: the LEI was on the wrong organisation."""
    store.write(small_network())
    store.write(GraphBatch(organisations=[org("S9", lei=LEI), org("S1")]))
    assert store.holders([("lei", LEI)]) == {("lei", LEI): "S9"}
    assert store.organisations(["S1"])[0].lei is None


def test_identifiers_of_different_kinds_or_values_live_side_by_side(store):
    store.write(
        GraphBatch(
            organisations=[
                org("A", lei=LEI),
                org("B", duns="150483782"),
                org("C", gln="0614141000005", os_id="DE20211253G9MQX"),
                org("D", mill_id=UML),
                Organisation("E", org("E").kind, "E Ltd", "GH"),
                org("F"),  # any number hold none
            ]
        )
    )
    assert store.counts()["suppliers"] == 6


@pytest.mark.neo4j
def test_neo4j_data_sharing_an_identifier_is_named_at_connect(neo4j_store):
    """Data written before the constraints (or outside tiergraph) cannot get them."""
    from neo4j.exceptions import ConstraintError

    driver = neo4j_store.driver
    driver.execute_query("DROP CONSTRAINT organisation_lei")
    driver.execute_query(
        "CREATE (:Organisation:Supplier {id: 'A', lei: $lei}), "
        "(:Organisation:Supplier {id: 'B', lei: $lei})",
        lei=LEI,
    )
    with pytest.raises(StoreError, match=f"lei {LEI}: A, B"):
        neo4j_store.ensure_schema()
    driver.execute_query("MATCH (o:Organisation {id: 'B'}) SET o.lei = null")
    neo4j_store.ensure_schema()
    with pytest.raises(ConstraintError):  # the constraint is back at work
        driver.execute_query("MATCH (o:Organisation {id: 'B'}) SET o.lei = $lei", lei=LEI)


@pytest.mark.neo4j
def test_neo4j_an_identifier_taken_by_a_racing_write_is_named(neo4j_store, monkeypatch):
    """Two writers check, then write: the constraint stops the second, named as such."""
    neo4j_store.write(small_network())
    real = type(neo4j_store).identifier_moves
    calls = []

    def racing(self, batch, run=None):
        calls.append(run)
        return [] if run is not None else real(self, batch)  # the in-transaction check missed it

    monkeypatch.setattr(type(neo4j_store), "identifier_moves", racing)
    with pytest.raises(IdentifierTaken) as caught:
        neo4j_store.write(GraphBatch(organisations=[org("LATE", lei=LEI)]))
    assert (caught.value.organisation, caught.value.holder) == ("LATE", "S1")
    assert neo4j_store.kinds(["LATE"]) == {}
