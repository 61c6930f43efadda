"""The two steps of a share request: a member's sourcing team asks, the audit's
owner grants or declines. Each is one mutation (mutations.record.perform): one
transaction, recorded with who and when, idempotent under a client key.

Asking is for an audit the member cannot see, of a node in its network; any other
audit id is NOT_FOUND, word for word like one that does not exist (an audit the
member already sees is BAD_USER_INPUT: it knows that audit). A second request
while one is open answers the open one and writes nothing. Only the owner (a
supplier key of the organisation the audit covers) answers; a grant adds
SHARED_WITH for the member in the same transaction as the request's new status.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np

from access.errors import BadUserInput
from access.principal import Principal, Role
from graph import model
from graph.model import GraphBatch, Share
from graph.store import (
    GraphStore,
    OpenRequestExists,
    RequestAnswered,
    RequestStatus,
    ShareRequest,
)
from mutations import checks
from mutations.ids import random_hex
from mutations.record import Plan, perform
from mutations.scope import own_organisation
from sharing.shown import RequestSeen
from views.member import member_view, not_found, require_role

TEXT_LENGTH = 2000  # characters of a message or a reason


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def requestable(principal: Principal, store: GraphStore, audit: str) -> model.Audit:
    """An audit of a node in the member's network that the member cannot see;
    NOT_FOUND for any other id, BAD_USER_INPUT for one it sees already."""
    view = member_view(principal=principal, store=store)
    audits = view.projection.audits
    p = int(np.searchsorted(audits.ids, audit))
    if p >= len(audits.ids) or audits.ids[p] != audit:
        raise not_found("audit", audit)
    if view.tier(int(audits.organisation[p])) < 1:  # the member itself, or outside its network
        raise not_found("audit", audit)
    if view.visible_audits[p]:
        raise BadUserInput("audit", "your member sees this audit already: nothing to request")
    found = store.audits([audit])
    if not found:  # gone since the view was made
        raise not_found("audit", audit)
    return found[0]


def _open(store: GraphStore, member: str, audit: model.Audit) -> dict[str, Any]:
    (found,) = store.share_requests(member=member, audit=audit.id, status=RequestStatus.OPEN)
    return {"request": RequestSeen.of(found, audit).response(), "created": False}


def request_share(
    *,
    principal: Principal,
    store: GraphStore,
    audit: str,
    message: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Ask the owner of `audit` to share it with the caller's member. Answers
    `request` and `created` (False: the open request, nothing written)."""
    require_role(principal, Role.SOURCING)
    member = principal.organisation
    assert member is not None  # sourcing keys always name a member
    text = checks.text(message, "message", required=False, longest=TEXT_LENGTH)
    wanted: dict[str, model.Audit] = {}

    def plan(at: datetime) -> Plan:
        found = wanted["audit"] = requestable(principal, store, audit)
        if store.share_requests(member=member, audit=audit, status=RequestStatus.OPEN):
            return Plan(_open(store, member, found), write=False)
        made = ShareRequest(
            id=f"share-{random_hex(16)}",
            member=member,
            audit=audit,
            owner=found.organisation,
            status=RequestStatus.OPEN,
            at=_iso(at),
            requested_by=principal.key_id,
            message=text,
        )
        response = {"request": RequestSeen.of(made, found).response(), "created": True}
        return Plan(response, requests=(made,))

    try:
        return perform(
            principal=principal,
            store=store,
            operation="requestShare",
            arguments={"audit": audit, "message": text},
            idempotency_key=idempotency_key,
            plan=plan,
        )
    except OpenRequestExists:  # a racing request got there first: it is the open one
        return {**_open(store, member, wanted["audit"]), "mutation": None, "replayed": False}


def answer_share_request(
    *,
    principal: Principal,
    store: GraphStore,
    request: str,
    grant: bool,
    reason: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """The owner grants (SHARED_WITH the member) or declines (with an optional
    reason) an open request for one of its audits."""
    me = own_organisation(principal, store, Role.SUPPLIER)
    why = checks.text(reason, "reason", required=False, longest=TEXT_LENGTH)
    if grant and why is not None:
        raise BadUserInput("reason", "only a decline gives a reason")

    def plan(at: datetime) -> Plan:
        found = store.share_requests(id=request, owner=me.id)
        audit = next((a for a in store.audits_of(me.id) if found and a.id == found[0].audit), None)
        if audit is None:  # not a request made to this organisation (or none at all)
            raise not_found("share request", request)
        asked = found[0]
        if asked.status != RequestStatus.OPEN:
            raise _answered(asked)
        answered = answer(asked, principal, at, grant=grant, reason=why)
        batch = GraphBatch(shares=[Share(asked.audit, asked.member)] if grant else [])
        response = {"request": RequestSeen.of(answered, audit).response()}
        return Plan(response, batch, requests=(answered,))

    try:
        return perform(
            principal=principal,
            store=store,
            operation="answerShareRequest",
            arguments={"request": request, "grant": grant, "reason": why},
            idempotency_key=idempotency_key,
            plan=plan,
        )
    except RequestAnswered:  # a racing answer got there first: it stands
        (asked,) = store.share_requests(id=request)
        raise _answered(asked) from None


def answer(
    asked: ShareRequest,
    principal: Principal,
    at: datetime,
    *,
    grant: bool,
    reason: str | None = None,
) -> ShareRequest:
    """The request answered by the owner's key at `at` (answerShareRequest, or a
    shareAudit that meets it)."""
    return replace(
        asked,
        status=RequestStatus.GRANTED if grant else RequestStatus.DECLINED,
        answered_at=_iso(at),
        answered_by=principal.key_id,
        reason=reason,
    )


def _answered(asked: ShareRequest) -> BadUserInput:
    return BadUserInput(
        "request", f"already {asked.status.value} at {asked.answered_at}: answered once"
    )
