"""registerSupplier matches before it creates (DOMAIN.md, "Matching organisations"),
on every store: a shared identifier decides; a close name with no conflict is
the stored organisation; between the thresholds the caller chooses and nothing
is written until it does; its choice is kept and decides the same pair next
time."""

from __future__ import annotations

import pytest

from access.errors import BadUserInput, NotFound
from graph.model import GraphBatch, Kind, Organisation, Sourcing
from matching.identifiers import lei_check_digits
from mutations import suppliers
from mutations.registration import configured_thresholds
from tests.views.forum import PRINCIPALS, forum

S1 = PRINCIPALS["supplier inside"]
S9 = PRINCIPALS["supplier outside"]
LEI = "529900ABCDEFGHIJKL" + lei_check_digits("529900ABCDEFGHIJKL")


def stored() -> GraphBatch:
    batch = forum()
    batch.organisations += [
        Organisation("P1", Kind.SUPPLIER, "PT Sinar Mas Agro Resources", "ID", lei=LEI),
        Organisation("P3", Kind.SUPPLIER, "PTPN III", "ID"),
        Organisation(
            "C1", Kind.SUPPLIER, "Asunafo North Cocoa Cooperative", "GH", abbreviation="ANCC"
        ),
    ]
    batch.sourcing.append(Sourcing("S9", "P3", "palm oil"))
    return batch


def register(store, name, country="ID", principal=S1, **more):
    supplier = {"name": name, "country": country}
    supplier.update({k: v for k, v in more.items() if k in ("lei", "abbreviation", "lat", "lon")})
    rest = {k: v for k, v in more.items() if k not in supplier}
    return suppliers.register_supplier(
        principal=principal, store=store, supplier=supplier, commodity="palm oil", **rest
    )


def test_a_shared_identifier_decides_whatever_the_name(store):
    store.write(stored())
    got = register(store, "Completely Other Name", "MY", lei=LEI.lower())
    assert (got["outcome"], got["organisation"], got["reason"]) == (
        "EXISTING",
        "P1",
        "shared identifier",
    )
    assert ("S1", "P1") in store.sourcing_pairs([("S1", "P1")])


def test_legal_forms_and_word_order_fold_to_the_stored_organisation(store):
    store.write(stored())
    count = store.counts()["suppliers"]
    got = register(store, "Sinar Mas Agro Resources, PT")
    assert (got["outcome"], got["organisation"]) == ("EXISTING", "P1")
    assert store.counts()["suppliers"] == count


@pytest.mark.parametrize(
    "name, more",
    [
        ("PTPN IV", {}),  # a numbered sibling
        ("Asunafo North Cocoa Cooperative", {"abbreviation": "ANC"}),  # another cooperative
    ],
)
def test_a_conflict_is_never_matched_automatically(store, name, more):
    store.write(stored())
    country = "GH" if "Asunafo" in name else "ID"
    got = register(store, name, country, **more)
    assert got["outcome"] != "EXISTING"


def test_between_the_thresholds_the_caller_chooses_and_its_choice_is_kept(store):
    store.write(stored())
    version = store.graph_version()
    asked = register(store, "Asunafo Cocoa Cooperative", "GH")
    assert asked["outcome"] == "CHOOSE" and asked["mutation"] is None
    assert store.graph_version() == version  # nothing written
    offered = asked["candidates"][0]
    assert offered["id"] == "C1" and 0.5 <= offered["score"] < 0.8
    assert offered["name"] == "Asunafo North Cocoa Cooperative" and offered["country"] == "GH"
    with pytest.raises(NotFound):  # only an organisation offered may be chosen
        register(store, "Asunafo Cocoa Cooperative", "GH", use_existing="S4")
    chosen = register(store, "Asunafo Cocoa Cooperative", "GH", use_existing="C1")
    assert (chosen["outcome"], chosen["organisation"]) == ("EXISTING", "C1")
    # another supplier writing the same name: the kept choice decides
    again = register(store, "Asunafo  Cocoa Cooperative", "GH", principal=S9)
    assert (again["outcome"], again["organisation"], again["reason"]) == (
        "EXISTING",
        "C1",
        "confirmed before",
    )


def test_created_anyway_with_a_reason_and_the_rejection_is_kept(store):
    store.write(stored())
    with pytest.raises(BadUserInput) as empty:
        register(store, "Asunafo Cocoa Cooperative", "GH", create_anyway=" ")
    assert empty.value.field == "createAnyway"
    made = register(store, "Asunafo Cocoa Cooperative", "GH", create_anyway="another village")
    assert made["outcome"] == "CREATED" and made["organisation"] not in ("C1", None)
    assert "another village" in made["reason"]
    # the same name again: the new one is the exact match, C1 is never offered again
    again = register(store, "Asunafo Cocoa Cooperative", "GH", principal=S9)
    assert (again["outcome"], again["organisation"]) == ("EXISTING", made["organisation"])


def test_a_name_that_is_a_stored_abbreviation_is_asked_about(store):
    store.write(stored())
    version = store.graph_version()
    asked = register(store, "A.N.C.C.", "GH")
    assert (asked["outcome"], asked["mutation"]) == ("CHOOSE", None)
    assert [c["id"] for c in asked["candidates"]] == ["C1"]
    assert asked["reason"] == "its name is the abbreviation of a stored organisation"
    assert store.graph_version() == version  # nothing written
    chosen = register(store, "A.N.C.C.", "GH", use_existing="C1")
    assert (chosen["outcome"], chosen["organisation"]) == ("EXISTING", "C1")
    # an organisation registered since, with its abbreviation: found by it too
    made = register(store, "Riau Coastal Palm Mill", abbreviation="RCPM")
    assert made["outcome"] == "CREATED"
    later = register(store, "RCPM", principal=S9)
    assert later["outcome"] == "CHOOSE"
    assert [c["id"] for c in later["candidates"]] == [made["organisation"]]


def test_nothing_close_creates_a_new_organisation_with_its_details(store):
    store.write(stored())
    got = register(store, "Riau Coastal Palm Mill", abbreviation="RCPM", lat=0.5, lon=101.4)
    assert got["outcome"] == "CREATED"
    (org,) = store.organisations([got["organisation"]])
    assert (org.name, org.country, org.abbreviation, org.lat, org.lon, org.kind) == (
        "Riau Coastal Palm Mill",
        "ID",
        "RCPM",
        0.5,
        101.4,
        Kind.SUPPLIER,
    )


def test_a_bad_identifier_is_refused_naming_its_field(store):
    store.write(stored())
    with pytest.raises(BadUserInput) as bad:
        register(store, "Some Mill", lei="529900ABCDEFGHIJKL00")
    assert bad.value.field == "supplier.lei" and "check digits" in bad.value.reason


def test_thresholds_come_from_the_settings(monkeypatch):
    configured_thresholds.cache_clear()
    monkeypatch.setenv("TIERGRAPH_MATCH_CANDIDATE", "0.6")
    monkeypatch.setenv("TIERGRAPH_MATCH_AUTOMATIC", "0.9")
    try:
        found = configured_thresholds()
        assert (found.candidate, found.automatic) == (0.6, 0.9)
    finally:
        configured_thresholds.cache_clear()


def test_the_kept_index_follows_writes_made_after_it_was_built(store):
    store.write(stored())
    assert register(store, "Sinar Mas Agro Resources")["organisation"] == "P1"  # index built
    # P1 renamed and moved by a later write: the kept index takes it in
    renamed = Organisation("P1", Kind.SUPPLIER, "Wilmar Nabati Refinery", "ID", lei=LEI)
    store.write(GraphBatch(organisations=[renamed]))
    assert register(store, "Sinar Mas Agro Resources", principal=S9)["outcome"] == "CREATED"
    assert register(store, "Wilmar Nabati Refinery", principal=S9)["organisation"] == "P1"
    store.write(
        GraphBatch(
            organisations=[
                Organisation("P1", Kind.SUPPLIER, "Wilmar Nabati Refinery", "MY", lei=LEI)
            ]
        )
    )
    assert register(store, "Wilmar Nabati Refinery", principal=S1)["outcome"] == "CREATED"


def test_a_country_not_registered_in_for_many_writes_keeps_its_index(store, monkeypatch):
    """Registrations elsewhere keep every kept index current: one left behind by more
    writes than the store keeps would be built again (seconds at 200,000)."""
    from mutations import registration

    monkeypatch.setattr("graph.sqlite_store.CHANGES_KEPT", 2)
    monkeypatch.setattr("graph.neo4j_store.CHANGES_KEPT", 2)
    store.write(stored())
    assert (
        register(store, "Asunafo North Cocoa Cooperative", "GH", abbreviation="ANCC")[
            "organisation"
        ]
        == "C1"
    )
    built = []
    real = registration._build
    monkeypatch.setattr(
        registration,
        "_build",
        lambda s, country, v, why: built.append(country) or real(s, country, v, why),
    )
    for i in range(4):  # registrations in Indonesia, each a write
        register(store, f"Kebun Baru Sejahtera {'I' * (i + 1)}", create_anyway="a new estate")
    found = register(store, "Asunafo North Cocoa Co-operative", "GH", abbreviation="ANCC")
    assert found["organisation"] == "C1"
    assert built == ["ID"]  # Ghana's index was kept up, not built again


def test_a_served_process_freezes_a_countrys_matching_index_once_built(store):
    """In a process that froze its start-up objects (api.app, `tiergraph serve`),
    the index a registration builds is frozen too: full collections do not walk it
    again; elsewhere (a test, the CLI) the collector is left as it is."""
    import gc

    from mutations.registration import facts_of, index_for, match_one

    store.write(forum())
    assert gc.get_freeze_count() == 0
    with index_for(store, "GH"):
        pass
    assert gc.get_freeze_count() == 0  # nothing frozen: not frozen here
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with index_for(store, "CI") as index:  # a country this process never indexed
            assert "S4" in index.position
        assert gc.get_freeze_count() > frozen
        ghana = facts_of(store.organisations(["S1"])[0], stored=False)
        assert match_one(store, ghana).organisation == "S1"  # matches as before
    finally:
        gc.unfreeze()


def test_a_shared_lei_with_another_mill_id_is_the_callers_choice(store):
    # Two mills of one legal entity: the LEI is shared, the UML ids differ.
    lei = "5493001KJTIIGC8Y1R12"
    batch = stored()
    batch.organisations.append(
        Organisation("W1", Kind.SUPPLIER, "PT Wilmar Mill 1", "ID", lei=lei, mill_id="PO1000000011")
    )
    store.write(batch)
    mill_2 = {"name": "PT Wilmar Mill 2", "country": "ID", "lei": lei, "mill_id": "PO1000000012"}

    def register_mill(supplier, **more):
        return suppliers.register_supplier(
            principal=S1, store=store, supplier=supplier, commodity="palm oil", **more
        )

    count = store.counts()["suppliers"]
    got = register_mill(mill_2)
    assert (got["outcome"], got["organisation"]) == ("CHOOSE", None)
    assert [(c["id"], c["conflicts"]) for c in got["candidates"]] == [
        ("W1", ["identifier", "numbers"])
    ]
    with pytest.raises(BadUserInput) as anyway:  # W1 holds the LEI: no second holder
        register_mill(mill_2, create_anyway="our second mill")
    assert anyway.value.field == "createAnyway"
    assert store.counts()["suppliers"] == count
    chosen = register_mill(mill_2, use_existing="W1")
    assert (chosen["outcome"], chosen["organisation"]) == ("EXISTING", "W1")
    assert ("S1", "W1") in store.sourcing_pairs([("S1", "W1")])


def test_a_name_found_and_another_ones_abbreviation_is_asked_about(store):
    batch = stored()
    batch.organisations.append(Organisation("T1", Kind.SUPPLIER, "ANCC Ltd", "GH"))
    store.write(batch)
    version = store.graph_version()
    # "Ancc": the stored ANCC Ltd by name, or the cooperative abbreviated ANCC?
    asked = register(store, "Ancc", "GH")
    assert (asked["outcome"], asked["mutation"]) == ("CHOOSE", None)
    assert {c["id"] for c in asked["candidates"]} == {"C1", "T1"}
    assert asked["reason"] == "its name is the abbreviation of a stored organisation"
    assert store.graph_version() == version  # nothing written
    chosen = register(store, "Ancc", "GH", use_existing="T1")
    assert (chosen["outcome"], chosen["organisation"]) == ("EXISTING", "T1")
