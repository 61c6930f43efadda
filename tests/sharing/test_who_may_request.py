"""Share requests with every kind of principal, on every store: the right one
writes; each wrong one gets FORBIDDEN (a role that may not), NOT_FOUND (an audit
or request outside what it may touch, word for word like one that does not
exist) or BAD_USER_INPUT, and a refusal writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from access.errors import BadUserInput, NotFound
from access.principal import Principal, Role
from sharing import lists
from sharing.requests import answer_share_request, request_share
from tests.mutations.test_who_may_write import BAD, FORBIDDEN, NOT_FOUND, OK, outcome
from tests.views.forum import PRINCIPALS, forum

S3 = Principal(Role.SUPPLIER, "S3", "k-s3")  # owns A3
S4 = Principal(Role.SUPPLIER, "S4", "k-s4")  # owns A4 (commissioned by M2, hidden from M1)
WHO = {**PRINCIPALS, "S3": S3, "S4": S4}
M1 = PRINCIPALS["sourcing"]
NOT_SOURCING = dict.fromkeys(
    ("analyst", "supplier inside", "supplier outside", "operator", "S3", "S4"), FORBIDDEN
)
NOT_SUPPLIER = dict.fromkeys(("sourcing", "analyst", "other member", "operator"), FORBIDDEN)


def _request(audit: str) -> Callable[[Principal, Any], Any]:
    return lambda p, s: request_share(principal=p, store=s, audit=audit, message="please")


REQUESTS = {
    # A4 on S4 (M1's tier 2) by M2, not shared: M1 may ask; M2 commissioned it
    "A4": {**NOT_SOURCING, "sourcing": OK, "other member": BAD},
    # A9 on S9, outside M1's network: NOT_FOUND like a missing audit
    "A9": {**NOT_SOURCING, "sourcing": NOT_FOUND, "other member": BAD},
    "NOPE": {**NOT_SOURCING, "sourcing": NOT_FOUND, "other member": NOT_FOUND},
    "A1": {**NOT_SOURCING, "sourcing": BAD, "other member": NOT_FOUND},  # M1's own
    # shared with M1; S3 is outside M2's network
    "A3": {**NOT_SOURCING, "sourcing": BAD, "other member": NOT_FOUND},
}


def _written(store) -> tuple:
    return (
        store.graph_version(),
        store.share_requests(),
        {o: store.mutation_records(o) for o in ("M1", "M2", "S1", "S3", "S4", "S9")},
    )


@pytest.mark.parametrize("audit", list(REQUESTS))
def test_only_a_sourcing_key_asks_and_only_for_an_audit_it_cannot_see_in_its_network(store, audit):
    store.write(forum())
    got = {}
    for who, principal in WHO.items():
        before = _written(store)
        got[who] = outcome(lambda p=principal: _request(audit)(p, store))
        if got[who] != OK:
            assert _written(store) == before, f"{who} was refused but something was written"
    assert got == REQUESTS[audit]


def test_only_the_owner_answers_and_only_once(store):
    store.write(forum())
    made = request_share(principal=M1, store=store, audit="A4")["request"]["id"]
    expected = {
        **NOT_SUPPLIER,
        "supplier inside": NOT_FOUND,  # S1: a request for someone else's audit
        "supplier outside": NOT_FOUND,
        "S3": NOT_FOUND,
        "S4": OK,
    }
    for grant in (True, False):
        got = {}
        for who, principal in WHO.items():
            if who == "S4":
                continue
            before = _written(store)
            got[who] = outcome(
                lambda p=principal, g=grant: answer_share_request(
                    principal=p, store=store, request=made, grant=g
                )
            )
            assert _written(store) == before
        assert got == {w: o for w, o in expected.items() if w != "S4"}
    answer_share_request(principal=S4, store=store, request=made, grant=False, reason="no")
    before = _written(store)
    for grant in (True, False):  # answered once: never again, either way
        with pytest.raises(BadUserInput) as refused:
            answer_share_request(principal=S4, store=store, request=made, grant=grant)
        assert refused.value.field == "request" and "declined" in refused.value.reason
    assert _written(store) == before


def test_not_found_reads_the_same_for_someone_elses_and_a_missing_one(store):
    store.write(forum())
    made = request_share(principal=M1, store=store, audit="A4")["request"]["id"]
    s1 = PRINCIPALS["supplier inside"]
    messages = set()
    for request in (made, "share-nope"):
        with pytest.raises(NotFound) as hidden:
            answer_share_request(principal=s1, store=store, request=request, grant=True)
        messages.add(str(hidden.value).replace(request, "X"))
    for audit in ("A9", "NOPE"):
        with pytest.raises(NotFound) as hidden:
            request_share(principal=M1, store=store, audit=audit)
        messages.add(str(hidden.value).replace(audit, "X"))
    assert messages == {"no share request 'X'", "no audit 'X'"}


def test_a_second_request_while_one_is_open_answers_the_open_one(store):
    store.write(forum())
    first = request_share(principal=M1, store=store, audit="A4", message="please")
    assert first["created"] is True and first["mutation"] is not None
    before = _written(store)
    again = request_share(principal=M1, store=store, audit="A4", message="again!")
    assert again["created"] is False and again["mutation"] is None
    assert again["request"] == first["request"]  # its message too
    assert _written(store) == before


def test_a_grant_with_a_reason_is_refused(store):
    store.write(forum())
    made = request_share(principal=M1, store=store, audit="A4")["request"]["id"]
    with pytest.raises(BadUserInput) as refused:
        answer_share_request(principal=S4, store=store, request=made, grant=True, reason="ok")
    assert refused.value.field == "reason"


LISTS = {
    "sourcing": ["A4"],
    "analyst": ["A4"],  # reads its member's requests, writes none
    "other member": [],
    "supplier inside": [],  # S1: requests made to others are not its business
    "supplier outside": [],
    "operator": FORBIDDEN,
    "S3": [],
    "S4": ["A4"],  # made to it
}


def test_each_side_lists_its_own_requests_and_nobody_elses(store):
    store.write(forum())
    request_share(principal=M1, store=store, audit="A4")
    got: dict[str, Any] = {}
    for who, principal in WHO.items():
        try:
            page = lists.share_requests(principal=principal, store=store)
            got[who] = [r.audit for r in page.items]
        except Exception as exc:  # noqa: BLE001 - the code is what is compared
            got[who] = getattr(exc, "code", repr(exc))
    assert got == LISTS
