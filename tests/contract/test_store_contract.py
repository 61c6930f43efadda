"""The store port's contract, run on the in-memory store and on real Neo4j."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from graph.codec import sorted_batch
from graph.cypher import SCHEMA
from graph.model import GraphBatch, Kind, Requires, Share, Sourcing
from graph.sqlite_store import SqliteStore
from graph.store import COUNT_KEYS, UnknownReference
from tests.factories import org, reopened, small_network


def test_a_written_batch_reads_back_whole(store):
    batch = small_network()
    store.write(batch)
    assert store.export() == sorted_batch(batch)


def test_counts_by_kind_and_type(store):
    store.write(small_network())
    counts = store.counts()
    assert counts["members"] == 2
    assert counts["suppliers"] == 3
    assert counts["smallholders"] == 1
    assert counts["sourcing"] == 6
    assert counts["pass_on"] == 1
    assert counts["adoptions"] == 1
    assert counts["audits"] == 1 and counts["findings"] == 1
    assert counts["shares"] == 1 and counts["recognitions"] == 2
    assert list(counts) == list(COUNT_KEYS)  # `tiergraph status` lists them in this order


def test_writing_the_same_batch_twice_changes_nothing(store):
    store.write(small_network())
    first = store.export()
    store.write(small_network())
    assert store.export() == first
    assert store.counts()["sourcing"] == 6


def test_an_upsert_replaces_properties_and_clears_removed_ones(store):
    store.write(small_network())
    store.write(GraphBatch(organisations=[replace(org("S1"), name="S1 renamed")]))
    s1 = next(o for o in store.export().organisations if o.id == "S1")
    assert s1.name == "S1 renamed"
    assert s1.lei is None


def test_an_audit_moved_to_another_site_covers_only_the_new_one(store):
    batch = small_network()
    store.write(batch)
    store.write(GraphBatch(audits=[replace(batch.audits[0], organisation="S2")]))
    (audit,) = store.export().audits
    assert audit.organisation == "S2"


def test_a_batch_with_an_unknown_reference_writes_nothing(store):
    store.write(small_network())
    before = store.export()
    bad = GraphBatch(
        organisations=[org("S9")],
        sourcing=[Sourcing("S1", "S9", "cocoa"), Sourcing("S1", "GHOST", "cocoa")],
    )
    with pytest.raises(UnknownReference) as caught:
        store.write(bad)
    assert caught.value.ids == ["GHOST"]
    assert store.export() == before
    assert store.kinds(["S9"]) == {}


@pytest.mark.parametrize(
    "bad",
    [
        GraphBatch(requires=[Requires("M1", "NO-SUCH-REQ")]),
        GraphBatch(shares=[Share("NO-SUCH-AUDIT", "M1")]),
    ],
    ids=["requirement", "audit"],
)
def test_unknown_requirements_and_audits_are_refused(store, bad):
    store.write(small_network())
    with pytest.raises(UnknownReference):
        store.write(bad)


def test_kinds_existing_and_sourcing_pairs(store):
    store.write(small_network())
    assert store.kinds(["M1", "S2", "F1", "nobody"]) == {
        "M1": Kind.MEMBER,
        "S2": Kind.SUPPLIER,
        "F1": Kind.SMALLHOLDER,
    }
    assert store.existing("requirement", ["R1", "R9"]) == {"R1"}
    assert store.existing("audit", ["A1", "A9"]) == {"A1"}
    assert store.existing("finding", ["F-1"]) == {"F-1"}
    assert store.sourcing_pairs([("M1", "S1"), ("S1", "M1"), ("S2", "S3")]) == {
        ("M1", "S1"),
        ("S2", "S3"),
    }


def test_members_and_what_they_require(store):
    store.write(small_network())
    assert store.members() == ["M1", "M2"]
    assert store.requirements_of("M1") == ["R1"]
    assert store.requirements_of("M2") == []
    assert store.recognised_schemes("M1") == {"SMETA"}


def test_remove_sourcing_one_commodity_or_all(store):
    batch = small_network()
    batch.sourcing.append(Sourcing("M1", "S3", "cocoa", date(2023, 5, 1)))
    store.write(batch)
    assert store.remove_sourcing("M1", "S3", "cocoa") == 1
    assert store.sourcing_pairs([("M1", "S3")]) == {("M1", "S3")}
    assert store.remove_sourcing("M1", "S3") == 1
    assert store.sourcing_pairs([("M1", "S3")]) == set()
    assert store.remove_sourcing("M1", "S3") == 0


def test_the_embedded_store_survives_a_restart(tmp_path):
    first = SqliteStore(tmp_path)
    first.write(small_network())
    again = SqliteStore(tmp_path)
    assert again.export() == sorted_batch(small_network())


def test_a_later_row_changes_an_organisations_kind(store):
    store.write(small_network())
    supplier = next(o for o in small_network().organisations if o.kind == Kind.SUPPLIER)
    before = store.counts()
    store.write(GraphBatch(organisations=[replace(supplier, kind=Kind.MEMBER)]))
    assert store.kinds([supplier.id]) == {supplier.id: Kind.MEMBER}
    after = store.counts()
    assert (after["members"], after["suppliers"]) == (
        before["members"] + 1,
        before["suppliers"] - 1,
    )


def test_within_one_batch_the_later_row_of_an_organisation_wins(store):
    store.write(small_network())
    first = org("TWICE", "supplier")  # Neo4j writes members first: a naive write ends supplier
    store.write(GraphBatch(organisations=[first, replace(first, kind=Kind.MEMBER)]))
    assert store.kinds(["TWICE"]) == {"TWICE": Kind.MEMBER}


def _made_anew(store, tmp_path):
    """A new database where the old one was (a new folder; a wiped Neo4j database)."""
    from graph.neo4j_store import Neo4jStore

    if isinstance(store, SqliteStore):
        return SqliteStore(tmp_path / "another")
    if isinstance(store, Neo4jStore):
        store.driver.execute_query("MATCH (n) DETACH DELETE n", database_=store.database)
        return reopened(store)
    pytest.fail(f"say here how to make a {type(store).__name__} anew")


def test_the_database_id_holds_across_reopening_and_is_new_for_a_new_database(store, tmp_path):
    store.write(small_network())
    first = store.database_id()
    assert first and first == store.database_id()
    store.write(GraphBatch(organisations=[org("LATER")]))  # writes do not change it
    assert store.database_id() == first
    assert reopened(store).database_id() == first
    assert _made_anew(store, tmp_path).database_id() != first


def test_an_empty_database_keeps_its_id_too(store):
    first = store.database_id()  # asked before anything was written
    assert reopened(store).database_id() == first


@pytest.mark.neo4j
def test_a_missing_constraint_is_made_again_on_connect(neo4j_store):
    """ensure_schema reads which indexes exist and makes only the missing ones."""
    driver = neo4j_store.driver
    driver.execute_query("DROP CONSTRAINT organisation_id IF EXISTS")
    neo4j_store.ensure_schema()
    records, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS n")
    constraints = {n for n, made in SCHEMA.items() if made.startswith("CREATE CONSTRAINT")}
    assert "organisation_id" in constraints and constraints <= set(records[0]["n"])
    neo4j_store.write(GraphBatch(organisations=[org("ONCE")]))
    with pytest.raises(Exception, match="already exists"):  # the constraint is at work
        driver.execute_query("CREATE (:Organisation {id: 'ONCE'})")
