"""What a user checks after a write, on every store: the next read of the
members' coverage and audit gaps shows it; a write sent twice under one
idempotency key is written once and answered the same; who made it and when is
kept."""

from __future__ import annotations

from datetime import date

import pytest

from access.errors import BadUserInput
from access.principal import Principal, Role
from mutations import audits, members, suppliers
from tests.views.forum import AS_OF, PRINCIPALS, forum
from views import audits as audit_views
from views import coverage
from views.supplier import supplier_view

M1 = PRINCIPALS["sourcing"]
S1 = PRINCIPALS["supplier inside"]
S4 = Principal(Role.SUPPLIER, "S4", "k-s4")


def _reached(store, requirement="R1") -> dict[int, int]:
    found = coverage.tier_coverage(principal=M1, store=store, requirement=requirement)
    return {t.tier: t.reached for t in found.tiers}


def _gaps(store, day=AS_OF) -> dict[str, str]:
    page = audit_views.audit_gaps(principal=M1, store=store, as_of=day, first=500)
    return {g.node: g.reason.value for g in page.items}


def _cascade_gaps(store) -> dict[tuple[str, str | None], str]:
    page = coverage.cascade_gaps(principal=M1, store=store, requirement="R1", first=500)
    return {(g.node, g.buyer): g.reason.value for g in page.items}


def test_a_suppliers_pass_on_and_adoption_show_in_the_members_next_coverage_read(store):
    store.write(forum())
    before = _reached(store)  # S4 (tier 2, via S1) has not been passed R1
    assert _cascade_gaps(store)[("S4", "S1")] == "NOT_PASSED_ON"
    suppliers.pass_on(principal=S1, store=store, requirement="R1", to="S4")
    assert _cascade_gaps(store)[("S4", "S1")] == "NOT_ADOPTED"
    assert _reached(store) == before  # passed on, not yet adopted
    s4 = Principal(Role.SUPPLIER, "S4", "k-s4")
    suppliers.adopt(principal=s4, store=store, requirement="R1", evidence="code signed")
    after = _reached(store)
    assert ("S4", "S1") not in _cascade_gaps(store)
    assert after[2] == before[2] + 1
    assert {t: n for t, n in after.items() if t != 2} == {t: n for t, n in before.items() if t != 2}


def test_a_share_turns_the_members_not_shared_gap_into_coverage(store):
    store.write(forum())
    assert _gaps(store)["S4"] == "NOT_SHARED"
    audits.share_audit(principal=S4, store=store, audit="A4", members=["M1"])
    assert "S4" not in _gaps(store)
    audits.unshare_audit(principal=S4, store=store, audit="A4", members=["M1"])
    assert _gaps(store)["S4"] == "NOT_SHARED"
    audits.share_audit(principal=S4, store=store, audit="A4", all_customers=True)
    assert "S4" not in _gaps(store)


def test_unrecognising_a_scheme_opens_gaps_at_the_next_read(store):
    store.write(forum())
    assert "S1" not in _gaps(store)
    members.unrecognise(principal=M1, store=store, scheme="SMETA")
    assert _gaps(store)["S1"] == "UNRECOGNISED_SCHEME"
    members.recognise(principal=M1, store=store, scheme="SMETA")
    assert "S1" not in _gaps(store)


def test_a_registered_sub_supplier_joins_the_members_network_and_the_suppliers_own_view(store):
    store.write(forum())
    nodes_before = coverage.tier_coverage(principal=M1, store=store, requirement="R1").nodes
    got = suppliers.register_supplier(
        principal=S1,
        store=store,
        supplier={"name": "Ashanti Beans Cooperative", "country": "GH", "abbreviation": "ABC"},
        commodity="cocoa",
    )
    assert got["outcome"] == "CREATED" and got["mutation"]["id"]
    new = got["organisation"]
    assert coverage.tier_coverage(principal=M1, store=store, requirement="R1").nodes == (
        nodes_before + 1
    )
    own = supplier_view(principal=S1, store=store)
    assert new in [t.organisation.id for t in own.suppliers]
    edge = next(e for e in store.sellers_of("S1") if e.seller == new)
    assert edge.registered_by == "S1" and edge.since == date.today()
    record = store.mutation_records("S1")[0]
    assert (record.operation, record.organisation, record.role) == (
        "registerSupplier",
        "S1",
        "supplier",
    )
    assert record.key_id == S1.key_id


def test_the_same_idempotency_key_writes_once_and_answers_the_same(store):
    store.write(forum())
    call = dict(principal=S1, store=store, requirement="R1", to="S4", idempotency_key="pass-1")
    first = suppliers.pass_on(**call)
    version = store.graph_version()
    again = suppliers.pass_on(**call)
    assert store.graph_version() == version
    assert again == {**first, "replayed": True}
    with pytest.raises(BadUserInput) as other:
        suppliers.pass_on(**{**call, "to": "S2"})
    assert other.value.field == "idempotencyKey"
    # another principal's key of the same name is its own
    m1 = suppliers.pass_on(
        principal=M1, store=store, requirement="R1", to="S3", idempotency_key="pass-1"
    )
    assert m1["replayed"] is False


def test_registering_twice_under_one_key_creates_one_organisation(store):
    store.write(forum())
    call = dict(
        principal=S1,
        store=store,
        supplier={"name": "Volta River Mill", "country": "GH"},
        commodity="palm oil",
        idempotency_key="reg-7",
    )
    first = suppliers.register_supplier(**call)
    count = store.counts()["suppliers"]
    again = suppliers.register_supplier(**call)
    assert again["organisation"] == first["organisation"] and again["replayed"] is True
    assert store.counts()["suppliers"] == count


def test_the_supplier_sees_what_was_passed_to_it_and_its_audits_with_who_sees_them(store):
    store.write(forum())
    suppliers.adopt(principal=PRINCIPALS["supplier inside"], store=store, requirement="R1")
    up = audits.upload_audit(
        principal=S4,
        store=store,
        audit={"scheme": "SA8000", "audit_date": "2026-02-01", "valid_until": "2027-01-31"},
        findings=[{"severity": "critical", "status": "open", "category": "wages"}],
    )
    audits.share_audit(principal=S4, store=store, audit=up["audit"], members=["M1", "M2"])
    own = supplier_view(principal=S4, store=store)
    assert [t.organisation.id for t in own.buyers] == ["M2", "S1"]
    assert [(p.requirement.id, p.passed_by, p.adoption is not None) for p in own.requirements] == [
        ("R2", ("M2",), True)
    ]
    seen = {a.audit.id: a for a in own.audits}
    assert set(seen) == {"A4", up["audit"]}
    assert seen[up["audit"]].shared_with == ("M1", "M2")
    assert seen[up["audit"]].audit.commissioned_by == "S4"
    assert [f.severity.value for f in seen[up["audit"]].findings] == ["critical"]


def test_bad_input_names_the_field(store):
    store.write(forum())
    bad = [
        (dict(supplier={"name": "X", "country": "Germany"}), "supplier.country"),
        (dict(supplier={"name": " ", "country": "DE"}), "supplier.name"),
        (dict(supplier={"name": "X", "country": "DE"}, since="2999-01-01"), "input.since"),
    ]
    for arguments, field in bad:
        with pytest.raises(BadUserInput) as err:
            suppliers.register_supplier(
                principal=S1, store=store, **{"commodity": "cocoa", **arguments}
            )
        assert err.value.field == field, err.value
    with pytest.raises(BadUserInput) as err:
        audits.upload_audit(
            principal=S4,
            store=store,
            audit={"scheme": "SMETA", "audit_date": "2026-02-01", "valid_until": "2025-01-31"},
            findings=[],
        )
    assert err.value.field == "audit.validUntil"
    with pytest.raises(BadUserInput) as err:
        audits.upload_audit(
            principal=S4,
            store=store,
            audit={"scheme": "SMETA", "audit_date": "2026-02-01", "valid_until": "2027-01-31"},
            findings=[{"severity": "huge", "status": "open"}],
        )
    assert err.value.field == "findings[0].severity"  # the first, as GraphQL counts
