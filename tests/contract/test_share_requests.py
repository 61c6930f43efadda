"""Share requests as every store keeps them: upserted by id in apply's
transaction (with the grant's SHARED_WITH, or not at all), at most one open per
(member, audit), read by any filter oldest first, beside the graph (never
counted or exported, emptied by clear())."""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace

import pytest

from graph.model import GraphBatch, Share, Sourcing
from graph.store import (
    Mutation,
    MutationRecord,
    OpenRequestExists,
    RequestAnswered,
    RequestStatus,
    ShareRequest,
    UnknownReference,
)
from tests.views.forum import forum

_SEQ = itertools.count()
OPEN, GRANTED, DECLINED = RequestStatus.OPEN, RequestStatus.GRANTED, RequestStatus.DECLINED


def record(key: str | None = None, organisation: str = "M1") -> MutationRecord:
    n = next(_SEQ)
    return MutationRecord(
        f"mut-r{n:04}", "requestShare", organisation, "sourcing", "k-1",
        f"2026-05-01T10:00:{n % 60:02}.000000+00:00", key, "0" * 64, {"n": n},
    )  # fmt: skip


def asked(
    id: str, member: str = "M1", audit: str = "A4", at: str = "2026-05-01T10:00"
) -> ShareRequest:
    return ShareRequest(id, member, audit, "S4", OPEN, at, "k-1", "please share")


def test_a_request_is_written_with_its_record_and_read_by_every_filter(store):
    store.write(forum())
    before, counts, export = store.graph_version(), store.counts(), store.export()
    first = asked("q1", at="2026-05-01T10:00:01")
    second = asked("q2", member="M2", audit="A3", at="2026-05-01T10:00:00")
    mine = record()
    assert store.apply(Mutation(mine, requests=(first, second))) == mine
    assert store.share_requests() == [second, first]  # oldest first
    assert store.share_requests(member="M1") == [first]
    assert store.share_requests(owner="S4") == [second, first]
    assert store.share_requests(audit="A3") == [second]
    assert store.share_requests(status=OPEN, member="M2") == [second]
    assert store.share_requests(status=GRANTED) == []
    assert store.share_requests(id="q1") == [first]
    assert store.share_requests(id="nope") == []
    # beside the graph: no new version, not counted, not exported
    assert store.graph_version() == before
    assert store.counts() == counts and store.export() == export
    assert store.mutation_records("M1")[0] == mine


def test_an_answer_upserts_the_request_with_the_grants_share_in_one_change(store):
    store.write(forum())
    store.apply(Mutation(record(), requests=(asked("q1"),)))
    before = store.graph_version()
    granted = replace(
        asked("q1"), status=GRANTED, answered_at="2026-05-02T09:00", answered_by="k-s4"
    )
    store.apply(
        Mutation(record("grant", "S4"), GraphBatch(shares=[Share("A4", "M1")]), requests=(granted,))
    )
    assert store.share_requests() == [granted]
    assert Share("A4", "M1") in store.export().shares
    (change,) = store.changes_since(before)
    assert change.batch.shares == [Share("A4", "M1")]


def test_a_second_open_request_of_one_member_and_audit_is_refused_whole(store):
    store.write(forum())
    store.apply(Mutation(record(), requests=(asked("q1"),)))
    again = record("again")
    with pytest.raises(OpenRequestExists) as refused:
        store.apply(
            Mutation(again, GraphBatch(shares=[Share("A4", "M2")]), requests=(asked("q2"),))
        )
    assert (refused.value.member, refused.value.audit) == ("M1", "A4")
    assert [r.id for r in store.share_requests()] == ["q1"]
    assert Share("A4", "M2") not in store.export().shares
    assert store.mutation_record("M1", "sourcing", "again") is None
    # another member, or another audit, may have its own open request
    store.apply(Mutation(record(), requests=(asked("q3", member="M2"), asked("q4", audit="A9"))))
    # once answered, a new request of the same pair may be open
    declined = replace(asked("q1"), status=DECLINED, answered_at="x", reason="not now")
    store.apply(Mutation(record(), requests=(declined,)))
    store.apply(Mutation(record(), requests=(asked("q5", at="2026-06-01"),)))
    assert [r.id for r in store.share_requests(member="M1", audit="A4")] == ["q1", "q5"]


def test_a_refused_batch_takes_its_requests_with_it(store):
    store.write(forum())
    bad = GraphBatch(sourcing=[Sourcing("S4", "NOBODY", "cocoa")])
    with pytest.raises(UnknownReference):
        store.apply(Mutation(record(), bad, requests=(asked("q1"),)))
    assert store.share_requests() == []


def test_a_kept_idempotency_key_writes_no_request_again(store):
    store.write(forum())
    first = record("k")
    store.apply(Mutation(first, requests=(asked("q1"),)))
    assert store.apply(Mutation(record("k"), requests=(asked("q2", audit="A9"),))) == first
    assert [r.id for r in store.share_requests()] == ["q1"]


def test_clear_empties_the_requests(store):
    store.write(forum())
    store.apply(Mutation(record(), requests=(asked("q1"),)))
    store.clear()
    assert store.share_requests() == []


def test_an_answered_request_is_never_written_again(store):
    store.write(forum())
    store.apply(Mutation(record(), requests=(asked("q1"),)))
    granted = replace(asked("q1"), status=GRANTED, answered_at="t1", answered_by="k-s4")
    store.apply(
        Mutation(record("g", "S4"), GraphBatch(shares=[Share("A4", "M1")]), requests=(granted,))
    )
    declined = replace(granted, status=DECLINED, answered_at="t2", reason="changed my mind")
    with pytest.raises(RequestAnswered):
        store.apply(Mutation(record("d", "S4"), requests=(declined,)))
    assert store.share_requests() == [granted]
    assert store.mutation_record("S4", "sourcing", "d") is None


def test_two_racing_requests_of_one_member_and_audit_make_one(store):
    store.write(forum())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def ask(n: int) -> None:
        barrier.wait()
        try:
            store.apply(Mutation(record(), requests=(asked(f"race-{n}"),)))
            outcomes.append("written")
        except OpenRequestExists:
            outcomes.append("refused")

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "written"]
    assert len(store.share_requests(status=OPEN)) == 1
