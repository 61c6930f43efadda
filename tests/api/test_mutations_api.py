"""The writes over GraphQL on every store, through the real app with real keys:
each mutation's answer as a client reads it, its refusals with their codes, and
a supplier's `me`."""

from __future__ import annotations

import pytest

from access.principal import Principal, Role
from matching.identifiers import lei_check_digits
from tests.api.member_client import data, refusal
from tests.views.forum import PRINCIPALS, forum

S1 = PRINCIPALS["supplier inside"]
S4 = Principal(Role.SUPPLIER, "S4", "k-s4")
M1 = PRINCIPALS["sourcing"]
WRITTEN = "mutation { id at } replayed"

REGISTER = """mutation($s: NewSupplier!, $key: String, $use: ID, $anyway: String) {
  registerSupplier(supplier: $s, commodity: "cocoa", idempotencyKey: $key,
                   useExisting: $use, createAnyway: $anyway) {
    outcome organisation reason candidates { id name country abbreviation score conflicts }
    @W } }""".replace("@W", WRITTEN)

MUTATIONS = {
    "registerSupplier": (REGISTER, {"s": {"name": "Volta Beans", "country": "GH"}}),
    "removeSourcing": (
        'mutation { removeSourcing(supplier: "S2") { supplier removed @W } }'.replace(
            "@W", WRITTEN
        ),
        {},
    ),
    "passOn": (
        'mutation { passOn(requirement: "R1", to: "S4") { requirement by to @W } }'.replace(
            "@W", WRITTEN
        ),
        {},
    ),
    "adopt": (
        'mutation { adopt(requirement: "R1", evidence: "signed") { requirement '
        "organisation @W } }".replace("@W", WRITTEN),
        {},
    ),
    "uploadAudit": (
        """mutation { uploadAudit(audit: {scheme: "SMETA", auditDate: "2026-02-01",
             validUntil: "2027-01-31"}, findings: [{severity: MAJOR, category: "hours"}])
           { audit findings @W } }""".replace("@W", WRITTEN),
        {},
    ),
    "shareAudit": (
        'mutation { shareAudit(audit: "A1", allCustomers: true) { audit sharedWith '
        "allCustomers @W } }".replace("@W", WRITTEN),
        {},
    ),
    "unshareAudit": (
        'mutation { unshareAudit(audit: "A1", allCustomers: true) { audit sharedWith '
        "allCustomers @W } }".replace("@W", WRITTEN),
        {},
    ),
}
MEMBER_MUTATIONS = {
    "recognise": (
        'mutation { recognise(scheme: "RBA") { member recognised @W } }'.replace("@W", WRITTEN),
        {},
    ),
    "unrecognise": (
        'mutation { unrecognise(scheme: "RBA") { member recognised @W } }'.replace("@W", WRITTEN),
        {},
    ),
    "require": (
        'mutation { require(requirement: "R7", title: "Deforestation-free", '
        'frameworks: ["EUDR"]) { requirement title version frameworks member @W } }'.replace(
            "@W", WRITTEN
        ),
        {},
    ),
    "passOn": (
        'mutation { passOn(requirement: "R1", to: "S3") { requirement by to @W } }'.replace(
            "@W", WRITTEN
        ),
        {},
    ),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_a_supplier_writes_its_own_part_and_a_member_key_is_forbidden(store, name):
    store.write(forum())
    query, variables = MUTATIONS[name]
    got = data(store, S1, query, **variables)[name]
    assert got["mutation"]["id"] and got["replayed"] is False
    expected_code = "NOT_FOUND" if name == "passOn" else "FORBIDDEN"
    for wrong in ("analyst", "operator"):
        assert refusal(store, PRINCIPALS[wrong], query, **variables)[0] == "FORBIDDEN"
    # the member's sourcing team passes on only to its own direct suppliers
    assert refusal(store, M1, query, **variables)[0] == expected_code


@pytest.mark.parametrize("name", list(MEMBER_MUTATIONS))
def test_a_sourcing_team_writes_its_own_decisions_and_other_keys_are_refused(store, name):
    store.write(forum())
    query, variables = MEMBER_MUTATIONS[name]
    got = data(store, M1, query, **variables)[name]
    assert got["mutation"]["id"]
    assert refusal(store, PRINCIPALS["analyst"], query, **variables)[0] == "FORBIDDEN"
    wrong_supplier = "NOT_FOUND" if name == "passOn" else "FORBIDDEN"
    assert refusal(store, PRINCIPALS["supplier outside"], query, **variables)[0] == wrong_supplier


def test_the_answers_read_as_a_client_expects(store):
    store.write(forum())
    made = data(store, M1, MEMBER_MUTATIONS["require"][0])["require"]
    assert made | {"mutation": None} == {
        "requirement": "R7",
        "title": "Deforestation-free",
        "version": "1",
        "frameworks": ["EUDR"],
        "member": "M1",
        "mutation": None,
        "replayed": False,
    }
    shared = data(
        store,
        S4,
        'mutation { shareAudit(audit: "A4", members: ["M1"]) { audit sharedWith allCustomers } }',
    )["shareAudit"]
    assert shared == {"audit": "A4", "sharedWith": ["M1"], "allCustomers": False}


def test_an_idempotency_key_sent_twice_answers_the_first_write(store):
    store.write(forum())
    variables = {"s": {"name": "Volta Beans", "country": "GH"}, "key": "retry-1"}
    first = data(store, S1, REGISTER, **variables)["registerSupplier"]
    again = data(store, S1, REGISTER, **variables)["registerSupplier"]
    assert again == {**first, "replayed": True}
    code, message = refusal(
        store, S1, REGISTER, s={"name": "Other Beans", "country": "GH"}, key="retry-1"
    )
    assert code == "BAD_USER_INPUT" and "idempotencyKey" in message


def test_choose_then_use_existing_over_graphql(store):
    batch = forum()
    from graph.model import Kind, Organisation

    batch.organisations.append(
        Organisation("C1", Kind.SUPPLIER, "Asunafo North Cocoa Cooperative", "GH")
    )
    store.write(batch)
    asked = data(store, S1, REGISTER, s={"name": "Asunafo Cocoa Cooperative", "country": "GH"})
    asked = asked["registerSupplier"]
    assert asked["outcome"] == "CHOOSE" and asked["mutation"] is None
    assert asked["candidates"][0]["id"] == "C1"
    chosen = data(
        store, S1, REGISTER, s={"name": "Asunafo Cocoa Cooperative", "country": "GH"}, use="C1"
    )["registerSupplier"]
    assert (chosen["outcome"], chosen["organisation"]) == ("EXISTING", "C1")
    code, _ = refusal(
        store, S1, REGISTER, s={"name": "Asunafo Cocoa Cooperative", "country": "GH"}, use="S9"
    )
    assert code == "NOT_FOUND"
    code, message = refusal(store, S1, REGISTER, s={"name": "X", "country": "Ghana"})
    assert code == "BAD_USER_INPUT" and "supplier.country" in message and "GH" in message


ME = """{ me { role supplier {
  organisation { id name country }
  suppliers { id commodities } buyers { id name commodities }
  requirements { id title passedBy adopted adoptedAt evidence passedOnTo }
  audits { id scheme commissionedBy sharedWith allCustomers findings { severity status } } } } }"""


def test_a_suppliers_me_shows_its_own_part_and_nothing_for_a_member(store):
    store.write(forum())
    me = data(store, S1, ME)["me"]["supplier"]
    assert me["organisation"]["id"] == "S1"
    assert [s["id"] for s in me["suppliers"]] == ["S2", "S4"]
    assert [b["id"] for b in me["buyers"]] == ["M1"]
    assert [
        (r["id"], r["passedBy"], r["adopted"], r["passedOnTo"]) for r in me["requirements"]
    ] == [("R1", ["M1"], True, ["S2"])]
    assert [(a["id"], a["commissionedBy"], a["sharedWith"]) for a in me["audits"]] == [
        ("A1", "M1", [])
    ]
    assert data(store, M1, ME)["me"]["supplier"] is None


def test_a_member_finds_an_organisation_of_its_network_by_identifier(store):
    lei = "529900ABCDEFGHIJKL" + lei_check_digits("529900ABCDEFGHIJKL")
    batch = forum()
    from dataclasses import replace

    batch.organisations = [
        replace(o, lei=lei) if o.id == "S2" else replace(o, lei=None) for o in batch.organisations
    ]
    store.write(batch)
    query = "query($i: String!) { organisation(identifier: $i) { id tier lei } }"
    found = data(store, M1, query, i=lei.lower())["organisation"]
    assert found == {"id": "S2", "tier": 2, "lei": lei}
    other = PRINCIPALS["other member"]  # S2 is outside M2's network
    hidden = refusal(store, other, query, i=lei)
    assert hidden[0] == "NOT_FOUND"
    unheld = "529900ZZZZZZZZZZZZ" + lei_check_digits("529900ZZZZZZZZZZZZ")
    absent = refusal(store, other, query, i=unheld)
    assert absent == (hidden[0], hidden[1].replace(lei, unheld))  # word for word
    for wrong in ("supplier inside", "supplier outside", "operator"):
        assert refusal(store, PRINCIPALS[wrong], query, i=lei)[0] == "FORBIDDEN"
    assert refusal(store, M1, query, i="529900ABCDEFGHIJKL" + "00")[0] in (
        "BAD_USER_INPUT",
        "NOT_FOUND",
    )
