"""Share requests for a generated network, in every state, the same for the same
seed: drawn from their own generator, so the network's rows stay what they are
without them. Each member asks for some of the audits of its network that it
cannot see (not its own, not shared with it or with all); the owners grant some,
decline some (a declined one is sometimes asked for again: open once more), and
leave the rest open. Days lie between the audit's date and today, the answer on
or after the request; some on the boundary days themselves."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from graph.model import Audit, GraphBatch, Kind, Share
from graph.store import RequestStatus, ShareRequest
from loaders.rows import LOADED_BY, noon

ASKED = 0.25  # odds that a member asks for one audit it cannot see
STATES = (RequestStatus.OPEN, RequestStatus.GRANTED, RequestStatus.DECLINED)
ASKED_AGAIN = 0.4  # odds that a declined request is followed by a new, open one
REASONS = (None, "a follow-up audit is due", "the report names other customers")


def networks(batch: GraphBatch) -> dict[str, set[str]]:
    """Every member's network (nodes reachable along SOURCES_FROM, itself excluded)."""
    ids = sorted({o.id for o in batch.organisations} | {s.seller for s in batch.sourcing})
    at = {k: n for n, k in enumerate(ids)}
    buyers = np.fromiter((at[s.buyer] for s in batch.sourcing), np.int64, len(batch.sourcing))
    sellers = np.fromiter((at[s.seller] for s in batch.sourcing), np.int64, len(batch.sourcing))
    ones = np.ones(len(buyers), dtype=np.int8)
    graph = csr_matrix((ones, (buyers, sellers)), shape=(len(ids), len(ids)))
    out = {}
    for o in batch.organisations:
        if o.kind == Kind.MEMBER:
            reached = breadth_first_order(graph, at[o.id], return_predecessors=False)
            out[o.id] = {ids[n] for n in reached.tolist()} - {o.id}
    return out


def unseen(batch: GraphBatch, member: str, network: set[str]) -> list[Audit]:
    """The audits of the member's network that it cannot see, in id order."""
    shared = {s.audit for s in batch.shares if s.member == member}
    audits = {a.id: a for a in batch.audits}  # a later row with the same id wins
    return [
        a
        for _, a in sorted(audits.items())
        if a.organisation in network
        and a.commissioned_by != member
        and not a.shared_with_all
        and a.id not in shared
    ]


def share_requests(batch: GraphBatch, *, seed: int, today: date) -> list[ShareRequest]:
    rnd = random.Random(seed * 104_729 + 3)
    out: list[ShareRequest] = []
    for member, network in sorted(networks(batch).items()):
        asked = [a for a in unseen(batch, member, network) if rnd.random() < ASKED]
        asked = [a for a in asked if a.audit_date <= today]
        order = [*STATES, *(rnd.choice(STATES) for _ in asked[len(STATES) :])]
        for n, (audit, status) in enumerate(zip(asked, order, strict=False)):
            span = (today - audit.audit_date).days
            edge = n % 4  # every fourth on a boundary: asked on the audit's day or answered today
            start = audit.audit_date + timedelta(days=0 if edge == 1 else rnd.randint(0, span))
            answered = (
                today if edge == 2 else start + timedelta(rnd.randint(0, (today - start).days))
            )
            out.append(_request(len(out), member, audit, status, start, answered, rnd))
            if status == RequestStatus.DECLINED and rnd.random() < ASKED_AGAIN:
                again = answered + timedelta(rnd.randint(0, (today - answered).days))
                out.append(_request(len(out), member, audit, RequestStatus.OPEN, again, None, rnd))
    return out


def _request(
    n: int,
    member: str,
    audit: Audit,
    status: RequestStatus,
    at: date,
    answered: date | None,
    rnd: random.Random,
) -> ShareRequest:
    done = status != RequestStatus.OPEN and answered is not None
    declined = status == RequestStatus.DECLINED
    return ShareRequest(
        id=f"SR-{n + 1:06d}",
        member=member,
        audit=audit.id,
        owner=audit.organisation,
        status=status,
        at=noon(at),
        requested_by=LOADED_BY,
        message=rnd.choice((None, f"please share your {audit.scheme} audit")),
        answered_at=noon(answered) if done and answered else None,
        answered_by=LOADED_BY if done else None,
        reason=rnd.choice(REASONS) if declined else None,
    )


def granted(requests: list[ShareRequest]) -> list[Share]:
    """The SHARED_WITH that the granted requests add (as the loader writes them)."""
    return [Share(r.audit, r.member) for r in requests if r.status == RequestStatus.GRANTED]
