"""The joint list on the small forum, on every store: who is on it, what an entry
says, the bands, the days at both ends of validity, who may read it, and that
nothing in the answer names a member."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from graph.model import GraphBatch, Kind
from jointlist.forum import forum_savings
from jointlist.listing import Band, joint_list, joint_list_on
from jointlist.potential import savings_potential
from tests.factories import chain, org
from tests.mutations.test_who_may_write import FORBIDDEN, OK, outcome
from tests.views.forum import AS_OF, FROM, PRINCIPALS, UNTIL, forum

CONSENTING = {"S1", "S2", "S4", "S9", "F1", "M1"}  # F1 and M1 are no Suppliers: never listed


def consenting_forum() -> GraphBatch:
    batch = forum()
    return replace(
        batch,
        organisations=[replace(o, listed=o.id in CONSENTING) for o in batch.organisations],
    )


def test_the_list_holds_consenting_suppliers_with_a_valid_audit(store):
    store.write(consenting_forum())
    got = [e.as_dict() for e in joint_list_on(store, AS_OF)]
    audit = [{"scheme": "SMETA", "valid_until": UNTIL.isoformat()}]
    assert got == [
        {"id": "S1", "name": "S1 Ltd", "country": "GH", "audits": audit,
         "open_critical_finding": False, "networks": "1"},
        {"id": "S2", "name": "S2 Ltd", "country": "CI", "audits": audit,
         "open_critical_finding": True, "networks": "1"},
        {"id": "S4", "name": "S4 Ltd", "country": "CI", "audits": audit,
         "open_critical_finding": False, "networks": "2-4"},
        {"id": "S9", "name": "S9 Ltd", "country": "BR", "audits": audit,
         "open_critical_finding": False, "networks": "1"},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("day", "on_it"),
    [(FROM, True), (UNTIL, True), (FROM - timedelta(days=1), False), (UNTIL + timedelta(1), False)],
)
def test_validity_bounds_are_inclusive(store, day, on_it):
    store.write(consenting_forum())
    assert bool(joint_list_on(store, day)) is on_it


def test_bands():
    assert [Band.of(n).value for n in range(7)] == ["0", "1", "2-4", "2-4", "2-4", "5+", "5+"]


def test_no_member_is_named_anywhere_in_the_answer(store):
    store.write(consenting_forum())
    page = joint_list(principal=PRINCIPALS["sourcing"], store=store, as_of=AS_OF, first=500)
    text = json.dumps([e.as_dict() for e in page.items]).lower()
    members = [o for o in forum().organisations if o.kind == Kind.MEMBER]
    assert members
    for m in members:
        assert m.id.lower() not in text and m.name.lower() not in text


def test_pages_by_supplier_id(store):
    store.write(consenting_forum())
    p = PRINCIPALS["analyst"]
    first = joint_list(principal=p, store=store, as_of=AS_OF, first=3)
    assert [e.id for e in first.items] == ["S1", "S2", "S4"] and first.has_next
    rest = joint_list(principal=p, store=store, as_of=AS_OF, first=3, after=first.end_cursor)
    assert [e.id for e in rest.items] == ["S9"] and not rest.has_next
    assert first.total == rest.total == 4


def test_who_may_read_the_list_and_the_forum_figure(store):
    store.write(consenting_forum())
    readers = {
        "sourcing": OK,
        "analyst": OK,
        "other member": OK,
        "supplier inside": FORBIDDEN,
        "supplier outside": FORBIDDEN,
        "operator": OK,
    }
    for call in (joint_list, forum_savings):
        got = {
            who: outcome(lambda p=p, c=call: c(principal=p, store=store, as_of=AS_OF))
            for who, p in PRINCIPALS.items()
        }
        assert got == readers
    potential = {
        who: outcome(lambda p=p: savings_potential(principal=p, store=store, as_of=AS_OF))
        for who, p in PRINCIPALS.items()
    }
    assert potential == {**readers, "operator": FORBIDDEN}


def test_forum_savings_rows_for_operators_only(store):
    store.write(forum())
    everyone = forum_savings(principal=PRINCIPALS["operator"], store=store, as_of=AS_OF)
    mine = forum_savings(principal=PRINCIPALS["sourcing"], store=store, as_of=AS_OF)
    assert [m["member"] for m in everyone["members"]] == ["M1", "M2"]
    assert [m["member"] for m in mine["members"]] == ["M1"]
    assert mine["forum"] == everyone["forum"]
    # M1 covers S1 (A1) and S3 (A3, M2's, shared); M2 covers S4 (A4) and S9 (A9)
    assert everyone["forum"] == {"members": 2, "covered": 4, "audits": 4, "per_audit": 1.0}


def test_savings_potential_of_m1(store):
    batch = forum()
    # S5 (behind S1) has only a valid audit of a scheme M1 does not recognise
    extra = replace(batch.audits[0], id="A5", organisation="S5", scheme="BSCI")
    store.write(
        replace(
            batch,
            organisations=[*batch.organisations, org("S5")],
            sourcing=[*batch.sourcing, *chain("S1", "S5")],
            audits=[*batch.audits, extra],
        )
    )
    p = savings_potential(principal=PRINCIPALS["sourcing"], store=store, as_of=AS_OF)
    assert (p.not_shared.nodes, [n.node for n in p.not_shared.shown]) == (1, ["S4"])
    assert p.not_shared.by_scheme == [("SMETA", 1)]
    assert p.not_shared.shown[0].audit.id == "A4" and not p.not_shared.shown[0].audit.visible
    assert (p.unrecognised_scheme.nodes, p.unrecognised_scheme.by_scheme) == (1, [("BSCI", 1)])
    assert [(n.node, n.tier, n.schemes) for n in p.unrecognised_scheme.shown] == [
        ("S5", 2, ["BSCI"])
    ]
