"""Share requests over GraphQL on every store, through the real app with real
keys: a sourcing team asks, the owner answers, both sides list; every wrong
principal's refusal with its code; a grant is coverage at the member's next read."""

from __future__ import annotations

import pytest

from access.principal import Principal, Role
from tests.api.member_client import data, refusal
from tests.views.forum import PRINCIPALS, forum

M1 = PRINCIPALS["sourcing"]
S4 = Principal(Role.SUPPLIER, "S4", "k-s4")
REQUEST = """{ id member organisation audit { id scheme auditDate validUntil }
  status message at answeredAt reason }"""
ASK = (
    """mutation($a: ID!, $m: String, $k: String) {
  requestShare(audit: $a, message: $m, idempotencyKey: $k) {
    request @R created mutation { id at } replayed } }"""
).replace("@R", REQUEST)
ANSWER = (
    """mutation($r: ID!, $g: Boolean!, $why: String) {
  answerShareRequest(request: $r, grant: $g, reason: $why) {
    request @R mutation { id at } replayed } }"""
).replace("@R", REQUEST)
LIST = (
    """query($s: ShareRequestStatus, $f: Int, $after: String) {
  shareRequests(status: $s, first: $f, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes @R } }"""
).replace("@R", REQUEST)
GAP = '{ organisation(id: "S4") { auditStatus(asOf: "2026-03-01") { covered reason } } }'


def test_ask_grant_and_read_the_coverage(store):
    store.write(forum())
    assert data(store, M1, GAP)["organisation"]["auditStatus"]["reason"] == "NOT_SHARED"
    asked = data(store, M1, ASK, a="A4", m="one audit for all", k="ask-1")["requestShare"]
    request = asked["request"]
    assert asked["created"] is True and asked["mutation"]["id"] and asked["replayed"] is False
    assert request | {"id": None, "at": None} == {
        "id": None,
        "member": "M1",
        "organisation": "S4",
        "audit": {
            "id": "A4",
            "scheme": "SMETA",
            "auditDate": "2026-01-10",
            "validUntil": "2026-12-31",
        },
        "status": "OPEN",
        "message": "one audit for all",
        "at": None,
        "answeredAt": None,
        "reason": None,
    }
    replay = data(store, M1, ASK, a="A4", m="one audit for all", k="ask-1")["requestShare"]
    assert replay == {**asked, "replayed": True}
    again = data(store, M1, ASK, a="A4")["requestShare"]
    assert (again["created"], again["mutation"], again["request"]) == (False, None, request)

    owners = data(store, S4, LIST)["shareRequests"]
    assert owners["totalCount"] == 1 and owners["nodes"] == [request]
    granted = data(store, S4, ANSWER, r=request["id"], g=True)["answerShareRequest"]
    assert granted["request"]["status"] == "GRANTED" and granted["request"]["answeredAt"]
    assert data(store, M1, GAP)["organisation"]["auditStatus"] == {"covered": True, "reason": None}
    mine = data(store, M1, LIST, s="GRANTED")["shareRequests"]["nodes"]
    assert mine == [granted["request"]]
    assert data(store, M1, LIST, s="OPEN")["shareRequests"]["totalCount"] == 0


def test_a_decline_with_its_reason_and_answering_twice(store):
    store.write(forum())
    request = data(store, M1, ASK, a="A4")["requestShare"]["request"]["id"]
    declined = data(store, S4, ANSWER, r=request, g=False, why="being renewed")
    assert declined["answerShareRequest"]["request"]["reason"] == "being renewed"
    code, message = refusal(store, S4, ANSWER, r=request, g=True)
    assert code == "BAD_USER_INPUT" and "request" in message
    analyst = PRINCIPALS["analyst"]  # reads its member's requests
    (seen,) = data(store, analyst, LIST)["shareRequests"]["nodes"]
    assert (seen["status"], seen["reason"]) == ("DECLINED", "being renewed")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("analyst", "FORBIDDEN"),
        ("other member", "BAD_USER_INPUT"),  # M2 commissioned A4
        ("supplier inside", "FORBIDDEN"),
        ("supplier outside", "FORBIDDEN"),
        ("operator", "FORBIDDEN"),
    ],
)
def test_wrong_principals_cannot_ask(store, who, expected):
    store.write(forum())
    assert refusal(store, PRINCIPALS[who], ASK, a="A4")[0] == expected
    assert refusal(store, M1, ASK, a="A9")[0] == "NOT_FOUND"  # outside M1's network


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("sourcing", "FORBIDDEN"),
        ("analyst", "FORBIDDEN"),
        ("other member", "FORBIDDEN"),
        ("supplier inside", "NOT_FOUND"),  # someone else's audit
        ("supplier outside", "NOT_FOUND"),
        ("operator", "FORBIDDEN"),
    ],
)
def test_wrong_principals_cannot_answer_and_see_nothing_of_others_requests(store, who, expected):
    store.write(forum())
    request = data(store, M1, ASK, a="A4")["requestShare"]["request"]["id"]
    assert refusal(store, PRINCIPALS[who], ANSWER, r=request, g=True)[0] == expected
    if who == "operator":
        assert refusal(store, PRINCIPALS[who], LIST)[0] == "FORBIDDEN"
    elif who in ("other member", "supplier inside", "supplier outside"):
        assert data(store, PRINCIPALS[who], LIST)["shareRequests"]["totalCount"] == 0
