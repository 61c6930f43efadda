"""The joint list over GraphQL on every store, through the real app with real keys:
a supplier consents, the list shows it (and no member), a member's savings
potential and the forum's figure, and each wrong principal's refusal."""

from __future__ import annotations

import json

import pytest

from tests.api.member_client import data, refusal
from tests.jointlist.test_joint_list import consenting_forum
from tests.views.forum import PRINCIPALS, forum

CONSENT = """mutation($l: Boolean!, $k: String) {
  consentToJointList(listed: $l, idempotencyKey: $k) {
    organisation listed mutation { id } replayed } }"""
LIST = """query($f: Int, $after: String) {
  jointList(asOf: "2026-03-01", first: $f, after: $after) {
    asOf totalCount pageInfo { hasNextPage endCursor }
    nodes { id name country audits { scheme validUntil } openCriticalFinding networks } } }"""
POTENTIAL = """{ savingsPotential(asOf: "2026-03-01") {
  asOf inScope
  shareRequestAway { reason count byScheme { scheme nodes }
    nodes { node { id } tier schemes audit { id visible rating } } }
  recognitionAway { count } } }"""
FORUM = """{ forumSavings(asOf: "2026-03-01") {
  asOf membersCounted neededWithoutSharing auditsUsed perAudit
  members { member covered saved savings } } }"""


def test_consent_then_the_list_shows_the_supplier_and_no_member(store):
    store.write(forum())
    s1 = PRINCIPALS["supplier inside"]
    made = data(store, s1, CONSENT, l=True, k="c1")["consentToJointList"]
    assert (made["organisation"], made["listed"], made["replayed"]) == ("S1", True, False)
    again = data(store, s1, CONSENT, l=True, k="c1")["consentToJointList"]
    assert again["replayed"] and again["mutation"] == made["mutation"]
    got = data(store, PRINCIPALS["analyst"], LIST)["jointList"]
    assert got["nodes"] == [
        {
            "id": "S1",
            "name": "S1 Ltd",
            "country": "GH",
            "audits": [{"scheme": "SMETA", "validUntil": "2026-12-31"}],
            "openCriticalFinding": False,
            "networks": "ONE",
        }
    ]
    text = json.dumps(got)
    for member in ("M1", "M2", "M1 Ltd", "M2 Ltd"):
        assert member not in text


def test_the_list_pages_and_operators_read_it(store):
    store.write(consenting_forum())
    first = data(store, PRINCIPALS["operator"], LIST, f=2)["jointList"]
    assert [n["id"] for n in first["nodes"]] == ["S1", "S2"] and first["totalCount"] == 4
    after = first["pageInfo"]["endCursor"]
    rest = data(store, PRINCIPALS["operator"], LIST, f=2, after=after)["jointList"]
    assert [n["id"] for n in rest["nodes"]] == ["S4", "S9"]
    assert [n["networks"] for n in rest["nodes"]] == ["TWO_TO_FOUR", "ONE"]


def test_savings_potential_and_the_forum_figure(store):
    store.write(forum())
    got = data(store, PRINCIPALS["sourcing"], POTENTIAL)["savingsPotential"]
    step = got["shareRequestAway"]
    assert (step["reason"], step["count"]) == ("NOT_SHARED", 1)
    assert step["nodes"] == [
        {"node": {"id": "S4"}, "tier": 2, "schemes": ["SMETA"],
         "audit": {"id": "A4", "visible": False, "rating": None}}
    ]  # fmt: skip
    assert got["recognitionAway"]["count"] == 0
    mine = data(store, PRINCIPALS["sourcing"], FORUM)["forumSavings"]
    every = data(store, PRINCIPALS["operator"], FORUM)["forumSavings"]
    assert [m["member"] for m in mine["members"]] == ["M1"]
    assert [m["member"] for m in every["members"]] == ["M1", "M2"]
    assert {k: v for k, v in mine.items() if k != "members"} == {
        "asOf": "2026-03-01",
        "membersCounted": 2,
        "neededWithoutSharing": 4,
        "auditsUsed": 4,
        "perAudit": 1.0,
    }


@pytest.mark.parametrize(
    ("who", "query", "expected"),
    [
        ("sourcing", CONSENT, "FORBIDDEN"),
        ("operator", CONSENT, "FORBIDDEN"),
        ("supplier inside", LIST, "FORBIDDEN"),
        ("supplier inside", FORUM, "FORBIDDEN"),
        ("supplier inside", POTENTIAL, "FORBIDDEN"),
        ("operator", POTENTIAL, "FORBIDDEN"),
    ],
)
def test_wrong_principals_are_refused(store, who, query, expected):
    store.write(forum())
    assert refusal(store, PRINCIPALS[who], query, l=True)[0] == expected
