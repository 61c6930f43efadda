"""Consent to the joint list on every store: kept on the organisation, written by a
load or by the supplier's own mutation (recorded, idempotent), refused to others."""

from __future__ import annotations

from dataclasses import replace

import pytest

from access.errors import BadUserInput
from access.principal import Principal, Role
from graph.model import GraphBatch
from jointlist.consent import consent_to_joint_list
from tests.mutations.test_who_may_write import BAD, FORBIDDEN, NOT_FOUND, OK, outcome
from tests.views.forum import PRINCIPALS, forum

S3 = Principal(Role.SUPPLIER, "S3", "k-s3")
F1 = Principal(Role.SUPPLIER, "F1", "k-f1")


def _listed(store, org_id: str) -> bool:
    return store.organisations([org_id])[0].listed


def test_listed_defaults_to_false_and_a_write_keeps_it(store):
    batch = forum()
    store.write(batch)
    assert not any(o.listed for o in store.organisations([o.id for o in batch.organisations]))
    s1 = store.organisations(["S1"])[0]
    store.write(GraphBatch(organisations=[replace(s1, listed=True)]))
    got = store.organisations(["S1"])[0]
    assert got.listed is True
    assert got == replace(s1, listed=True)
    assert [o for o in store.export().organisations if o.id == "S1"] == [got]


def test_the_supplier_consents_once_per_key_and_can_withdraw(store):
    store.write(forum())
    me = PRINCIPALS["supplier inside"]
    first = consent_to_joint_list(principal=me, store=store, listed=True, idempotency_key="k1")
    assert first["listed"] is True and first["organisation"] == "S1"
    assert not first["replayed"] and first["mutation"] is not None
    assert _listed(store, "S1") is True
    again = consent_to_joint_list(principal=me, store=store, listed=True, idempotency_key="k1")
    assert again["replayed"] and again["mutation"] == first["mutation"]
    with pytest.raises(BadUserInput):  # the same key for another request
        consent_to_joint_list(principal=me, store=store, listed=False, idempotency_key="k1")
    assert _listed(store, "S1") is True
    consent_to_joint_list(principal=me, store=store, listed=False)
    assert _listed(store, "S1") is False
    ops = [r.operation for r in store.mutation_records("S1")]
    assert ops.count("consentToJointList") == 2


def test_only_a_supplier_key_consents_and_only_for_a_supplier(store):
    store.write(forum())
    who = {**PRINCIPALS, "S3": S3, "F1": F1}
    expected = {
        "sourcing": FORBIDDEN,
        "analyst": FORBIDDEN,
        "other member": FORBIDDEN,
        "operator": FORBIDDEN,
        "supplier inside": OK,
        "supplier outside": OK,
        "S3": OK,
        "F1": BAD,  # a smallholder is never listed
    }
    got = {
        name: outcome(lambda p=p: consent_to_joint_list(principal=p, store=store, listed=True))
        for name, p in who.items()
    }
    assert got == expected
    listed = {o.id for o in store.export().organisations if o.listed}
    assert listed == {"S1", "S9", "S3"}
    gone = Principal(Role.SUPPLIER, "NOPE", "k-nope")
    assert outcome(lambda: consent_to_joint_list(principal=gone, store=store, listed=True)) == (
        NOT_FOUND
    )


@pytest.mark.parametrize(
    ("raw", "listed"),
    [("yes", True), ("no", False), ("", False), ("true", True), (None, False)],
)
def test_an_organisations_row_takes_listed_as_a_flag(raw, listed):
    from loaders.rows import parse_row

    row = {"id": "S1", "kind": "supplier", "name": "S1 Ltd", "country": "GH"}
    if raw is not None:
        row["listed"] = raw
    assert parse_row("organisations", row).listed is listed
