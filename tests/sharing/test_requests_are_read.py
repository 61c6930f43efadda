"""What each side reads after a share request's step, on every store: a grant
turns the member's NOT_SHARED gap into coverage at its next read; a decline
leaves the gap; the request shows the member no more of the audit than its gap
did; each step is recorded (who, when) and idempotent under a client key; lists
page newest first."""

from __future__ import annotations

import json
from dataclasses import replace

from access.principal import Principal, Role
from graph.model import GraphBatch
from graph.store import RequestStatus
from mutations.audits import share_audit, unshare_audit
from sharing import lists
from sharing.requests import answer_share_request, request_share
from tests.views.forum import AS_OF, PRINCIPALS, UNTIL, forum
from views import audits as audit_views

M1 = PRINCIPALS["sourcing"]
S4 = Principal(Role.SUPPLIER, "S4", "k-s4")


def _gaps(store) -> dict[str, str]:
    page = audit_views.audit_gaps(principal=M1, store=store, as_of=AS_OF, first=500)
    return {g.node: g.reason.value for g in page.items}


def test_a_grant_turns_the_not_shared_gap_into_coverage_at_the_next_read(store):
    store.write(forum())
    assert _gaps(store)["S4"] == "NOT_SHARED"
    made = request_share(principal=M1, store=store, audit="A4", message="saves an audit")
    assert _gaps(store)["S4"] == "NOT_SHARED"  # asking changes nothing yet
    got = answer_share_request(principal=S4, store=store, request=made["request"]["id"], grant=True)
    assert got["request"]["status"] == "granted" and got["request"]["member"] == "M1"
    assert "S4" not in _gaps(store)
    assert store.shares_of(["A4"]) == {"A4": ["M1"]}
    # seen now: asking again is pointless
    (seen,) = audit_views.audit_status_of(principal=M1, store=store, id="S4", as_of=AS_OF).audits
    assert seen.visible and seen.rating == "D"


def test_a_decline_leaves_the_gap_tells_the_reason_and_a_new_request_may_follow(store):
    store.write(forum())
    made = request_share(principal=M1, store=store, audit="A4")["request"]["id"]
    answer_share_request(principal=S4, store=store, request=made, grant=False, reason="renewing")
    assert _gaps(store)["S4"] == "NOT_SHARED"
    (mine,) = lists.share_requests(principal=M1, store=store).items
    assert (mine.status, mine.reason) == (RequestStatus.DECLINED, "renewing")
    again = request_share(principal=M1, store=store, audit="A4", message="renewed now?")
    assert again["created"] is True and again["request"]["id"] != made
    page = lists.share_requests(principal=M1, store=store, status=RequestStatus.OPEN)
    assert [r.id for r in page.items] == [again["request"]["id"]]


def test_the_member_learns_nothing_more_of_the_audit_before_a_grant(store):
    store.write(forum())
    made = request_share(principal=M1, store=store, audit="A4")
    shown = [made, *(r.response() for r in lists.share_requests(principal=M1, store=store).items)]
    text = json.dumps(shown)
    for secret in ("Secret Bureau", '"D"', "M2", "F-4", "hidden wages"):
        assert secret not in text
    request = made["request"]
    assert (request["audit"], request["scheme"], request["validUntil"]) == (
        "A4",
        "SMETA",
        UNTIL.isoformat(),
    )
    assert request["organisation"] == "S4"  # the node of its gap


def test_each_step_is_recorded_and_idempotent(store):
    store.write(forum())
    first = request_share(principal=M1, store=store, audit="A4", idempotency_key="ask-1")
    again = request_share(principal=M1, store=store, audit="A4", idempotency_key="ask-1")
    assert again == {**first, "replayed": True}
    (kept,) = store.mutation_records("M1")
    assert (kept.operation, kept.role, kept.key_id) == ("requestShare", "sourcing", M1.key_id)
    request = first["request"]["id"]
    (stored,) = store.share_requests()
    assert (stored.requested_by, stored.at) == (M1.key_id, first["request"]["at"])
    answered = answer_share_request(
        principal=S4, store=store, request=request, grant=True, idempotency_key="yes"
    )
    replay = answer_share_request(
        principal=S4, store=store, request=request, grant=True, idempotency_key="yes"
    )
    assert replay == {**answered, "replayed": True}
    (kept,) = store.mutation_records("S4")
    assert kept.operation == "answerShareRequest" and kept.key_id == S4.key_id
    (stored,) = store.share_requests()
    assert (stored.answered_by, stored.answered_at) == (
        S4.key_id,
        answered["request"]["answeredAt"],
    )


def test_lists_page_newest_first(store):
    batch = forum()
    hidden = [replace(batch.audits[3], id=f"A4-{n}") for n in range(5)]  # like A4
    store.write(batch)
    store.write(GraphBatch(audits=hidden))
    made = [
        request_share(principal=M1, store=store, audit=a.id)["request"]["id"]
        for a in sorted(hidden, key=lambda a: a.id)
    ]
    seen, after = [], None
    while True:
        page = lists.share_requests(principal=M1, store=store, first=2, after=after)
        assert page.total == 5
        seen += [r.id for r in page.items]
        if not page.has_next:
            break
        after = page.end_cursor
    assert seen == made[::-1]
    owner = lists.share_requests(principal=S4, store=store, first=500)
    assert [r.id for r in owner.items] == made[::-1] and {r.member for r in owner.items} == {"M1"}


def test_sharing_the_audit_meets_the_open_requests_for_it(store):
    """A second reader: a member's request stayed open after its owner shared the audit
    with shareAudit instead of answering, in both sides' lists, and the member could
    not ask again. A share that makes the audit visible to the asker grants the
    request (who and when recorded); a share with others leaves it open."""
    store.write(forum())
    made = request_share(principal=M1, store=store, audit="A4")["request"]["id"]
    share_audit(principal=S4, store=store, audit="A4", members=["M2"])
    (mine,) = lists.share_requests(principal=M1, store=store).items
    assert mine.status == RequestStatus.OPEN
    share_audit(principal=S4, store=store, audit="A4", members=["M1"])
    (mine,) = lists.share_requests(principal=M1, store=store).items
    assert (mine.id, mine.status) == (made, RequestStatus.GRANTED)
    (theirs,) = lists.share_requests(principal=S4, store=store).items
    assert theirs.status == RequestStatus.GRANTED and theirs.answered_at is not None
    assert "S4" not in _gaps(store)
    # taken back, asked again, then shared with every customer: met as well
    unshare_audit(principal=S4, store=store, audit="A4", members=["M1"])
    assert _gaps(store)["S4"] == "NOT_SHARED"
    again = request_share(principal=M1, store=store, audit="A4")["request"]["id"]
    share_audit(principal=S4, store=store, audit="A4", all_customers=True)
    page = lists.share_requests(principal=M1, store=store, status=RequestStatus.OPEN)
    assert page.items == []
    granted = lists.share_requests(principal=M1, store=store, status=RequestStatus.GRANTED)
    assert sorted(r.id for r in granted.items) == sorted([made, again])
    assert "S4" not in _gaps(store)
    # granted as an answer grants: SHARED_WITH the member, which outlives the share
    # with every customer (a second reader: taken back, it hid the audit again)
    assert store.shares_of(["A4"]) == {"A4": ["M1", "M2"]}  # M2 named at the start
    unshare_audit(principal=S4, store=store, audit="A4", all_customers=True)
    assert "S4" not in _gaps(store)
