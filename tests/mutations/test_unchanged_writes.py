"""A write that changes nothing in the graph makes no new graph version (so no
server process catches its projection up for it), and is still answered and
kept like any other: passOn of a requirement passed to the same supplier
earlier the same day, adopt of a requirement adopted already, registerSupplier
of a supplier sourced already, recognise, require, shareAudit and unshareAudit
of what is so already (docs/api.md, "Choices made for writes"). Every store."""

from __future__ import annotations

from dataclasses import replace

from access.principal import Principal, Role
from graph.model import PassOn
from mutations import audits, members, suppliers
from tests.views.forum import PRINCIPALS, forum

S1 = PRINCIPALS["supplier inside"]


def _pass_r1_to_s4(store, key=None):
    return suppliers.pass_on(
        principal=S1, store=store, requirement="R1", to="S4", idempotency_key=key
    )


def test_passing_on_again_the_same_day_keeps_the_graph_version_and_the_record(store):
    store.write(forum())
    first = _pass_r1_to_s4(store, "first")
    version = store.graph_version()
    edges = [p for p in store.passed_to("S4") if p.requirement == "R1"]
    assert edges == [PassOn("S1", "S4", "R1", edges[0].at)] and edges[0].at is not None

    again = _pass_r1_to_s4(store, "again")

    assert store.graph_version() == version  # nothing changed: no new version
    assert [p for p in store.passed_to("S4") if p.requirement == "R1"] == edges
    assert {k: again[k] for k in ("requirement", "by", "to", "replayed")} == {
        "requirement": "R1",
        "by": "S1",
        "to": "S4",
        "replayed": False,
    }
    assert again["mutation"]["id"] != first["mutation"]["id"]  # its own record: who, when
    kept = store.mutation_record("S1", "supplier", "again")
    assert kept is not None and kept.operation == "passOn" and kept.key_id == S1.key_id
    assert kept.response["mutation"] == again["mutation"]
    # and the key still answers the first answer, writing nothing
    assert _pass_r1_to_s4(store, "again") == {**again, "replayed": True}
    assert store.graph_version() == version


def test_a_first_pass_on_makes_a_new_version(store):
    store.write(forum())
    version = store.graph_version()
    _pass_r1_to_s4(store)
    assert store.graph_version() != version
    assert any(p.buyer == "S1" and p.requirement == "R1" for p in store.passed_to("S4"))


S2 = Principal(Role.SUPPLIER, "S2", "k-s2")
M1 = PRINCIPALS["sourcing"]


def _adoption(store, organisation, requirement):
    return [a for a in store.adoptions_of(organisation) if a.requirement == requirement]


def test_adopting_again_keeps_the_first_day_and_makes_no_version(store):
    store.write(forum())
    suppliers.adopt(principal=S2, store=store, requirement="R1", evidence="code signed")
    version = store.graph_version()
    (first,) = _adoption(store, "S2", "R1")
    assert first.evidence == "code signed" and first.at is not None

    again = suppliers.adopt(principal=S2, store=store, requirement="R1", idempotency_key="k2")

    assert store.graph_version() == version
    assert _adoption(store, "S2", "R1") == [first]
    kept = store.mutation_record("S2", "supplier", "k2")
    assert kept is not None and kept.operation == "adopt"
    assert again["mutation"] == kept.response["mutation"] and again["replayed"] is False
    # the same evidence again changes nothing either; new evidence replaces it, same day
    suppliers.adopt(principal=S2, store=store, requirement="R1", evidence="code signed")
    assert store.graph_version() == version
    suppliers.adopt(principal=S2, store=store, requirement="R1", evidence="code v2")
    assert store.graph_version() != version
    assert _adoption(store, "S2", "R1") == [replace(first, evidence="code v2")]


def test_registering_a_supplier_sourced_already_makes_no_version(store):
    store.write(forum())
    (edge,) = [e for e in store.sellers_of("S1") if e.seller == "S4"]
    version = store.graph_version()
    supplier = {"name": "S4 Ltd", "country": "CI"}
    made = suppliers.register_supplier(
        principal=S1, store=store, supplier=supplier, commodity=edge.commodity
    )
    assert (made["outcome"], made["organisation"]) == ("EXISTING", "S4")  # name and country
    assert made["mutation"] is not None and store.graph_version() == version
    assert [e for e in store.sellers_of("S1") if e.seller == "S4"] == [edge]


def test_recognising_requiring_and_sharing_again_make_no_version(store):
    store.write(forum())
    version = store.graph_version()
    members.recognise(principal=M1, store=store, scheme="SMETA")
    members.unrecognise(principal=M1, store=store, scheme="RBA")
    members.require(principal=M1, store=store, requirement="R1")
    audits.unshare_audit(principal=S1, store=store, audit="A1", members=["M2"])
    assert store.graph_version() == version
    assert store.recognised_schemes("M1") == {"SMETA"} and store.requirements_of("M1") == ["R1"]

    audits.share_audit(principal=S1, store=store, audit="A1", members=["M2"])
    shared = store.graph_version()
    assert shared != version and store.shares_of(["A1"]) == {"A1": ["M2"]}
    answer = audits.share_audit(principal=S1, store=store, audit="A1", members=["M2"])
    assert store.graph_version() == shared and answer["sharedWith"] == ["M2"]
    assert len(store.mutation_records("S1")) == 3  # each call kept: who, when
