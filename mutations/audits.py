"""A supplier's own audits: uploading one of itself (it is the audit's owner),
sharing it with named members or with every customer, and taking a share back.
The member that commissioned an audit always sees it (DOMAIN.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from access.errors import BadUserInput
from access.principal import Principal, Role
from graph import model
from graph.model import GraphBatch, Kind
from graph.store import GraphStore, Removals, RequestAnswered, RequestStatus, ShareRequest
from mutations import checks
from mutations.ids import random_hex
from mutations.record import Plan, perform
from mutations.scope import own_organisation
from sharing.requests import answer
from views.member import not_found

MAX_FINDINGS = 500  # findings in one upload
MAX_MEMBERS = 100  # members named in one share


def upload_audit(
    *,
    principal: Principal,
    store: GraphStore,
    audit: dict[str, Any],
    findings: list[dict[str, Any]],
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """An audit of the caller's own organisation with its findings (ids given by
    tiergraph); `audit` holds scheme, audit_date, valid_until, rating, auditor and
    shared_with_all."""
    me = own_organisation(principal, store, Role.SUPPLIER)
    if len(findings) > MAX_FINDINGS:
        raise BadUserInput("findings", f"at most {MAX_FINDINGS} in one upload")
    audit_id = f"audit-{random_hex(16)}"
    values = {**audit, "id": audit_id, "organisation": me.id, "commissioned_by": me.id}
    parsed = checks.row("audits", values, where="audit")
    rows = [
        checks.row(
            "findings",
            {**f, "id": f"{audit_id}-f{n + 1}", "audit": audit_id},
            where=f"findings[{n}]",
        )
        for n, f in enumerate(findings)  # findings[0] is the first, as in GraphQL's paths
    ]
    for n, row in enumerate(rows):
        if row.due_date is not None and row.due_date < parsed.audit_date:
            raise BadUserInput(
                f"findings[{n}].dueDate",
                f"{row.due_date} is before the audit's day {parsed.audit_date}",
            )
    arguments = {"audit": audit, "findings": findings}

    def plan(at: datetime) -> Plan:
        batch = GraphBatch(audits=[parsed], findings=rows)
        return Plan({"audit": audit_id, "findings": [f.id for f in rows]}, batch)

    return perform(
        principal=principal,
        store=store,
        operation="uploadAudit",
        arguments=arguments,
        idempotency_key=idempotency_key,
        plan=plan,
    )


def _own_audit(store: GraphStore, organisation: str, audit: str) -> model.Audit:
    """An audit covering the caller's organisation (its owner), else NOT_FOUND."""
    for found in store.audits_of(organisation):
        if found.id == audit:
            return found
    raise not_found("audit", audit)


def _members(store: GraphStore, ids: list[str]) -> list[str]:
    if len(ids) > MAX_MEMBERS:
        raise BadUserInput("members", f"at most {MAX_MEMBERS} in one call")
    kinds = store.kinds(ids)
    for member in ids:
        if kinds.get(member) != Kind.MEMBER:
            raise not_found("member", member)
    return sorted(set(ids))


def share_audit(
    *,
    principal: Principal,
    store: GraphStore,
    audit: str,
    members: list[str] | None = None,
    all_customers: bool = False,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """SHARED_WITH the named members, and/or shared with every customer."""
    return _sharing(principal, store, audit, members or [], all_customers, idempotency_key, True)


def unshare_audit(
    *,
    principal: Principal,
    store: GraphStore,
    audit: str,
    members: list[str] | None = None,
    all_customers: bool = False,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Take back shares with the named members, and/or the share with every customer."""
    return _sharing(principal, store, audit, members or [], all_customers, idempotency_key, False)


def _sharing(
    principal: Principal,
    store: GraphStore,
    audit: str,
    members: list[str],
    all_customers: bool,
    idempotency_key: str | None,
    share: bool,
) -> dict[str, Any]:
    me = own_organisation(principal, store, Role.SUPPLIER)
    if not members and not all_customers:
        raise BadUserInput("members", "name at least one member, or set allCustomers")

    def plan(at: datetime) -> Plan:
        found = _own_audit(store, me.id, audit)
        named = _members(store, members)
        batch, removals = GraphBatch(), Removals()
        if all_customers and found.shared_with_all != share:
            batch.audits.append(replace(found, shared_with_all=share))
        shared = {m for m in store.shares_of([audit]).get(audit, [])}
        # A request met is granted as an answer grants it: with SHARED_WITH its member
        # (shared with every customer, taking that back must not hide it again).
        met = _met(principal, store, audit, named, all_customers, at) if share else ()
        adding = list(dict.fromkeys([*named, *(r.member for r in met)]))
        # What is shared already (or not shared) is left as it is: no graph change.
        if share:
            batch.shares.extend(model.Share(audit, m) for m in adding if m not in shared)
        else:
            removals = Removals(shares=tuple(model.Share(audit, m) for m in named if m in shared))
        shared = shared | set(adding) if share else shared - set(named)
        to_all = share if all_customers else found.shared_with_all
        response = {"audit": audit, "sharedWith": sorted(shared), "allCustomers": to_all}
        return Plan(response, batch, removals, requests=met)

    arguments = {"audit": audit, "members": sorted(set(members)), "allCustomers": all_customers}
    for attempt in range(3):
        try:
            return perform(
                principal=principal,
                store=store,
                operation="shareAudit" if share else "unshareAudit",
                arguments=arguments,
                idempotency_key=idempotency_key,
                plan=plan,
            )
        except RequestAnswered:  # the owner answered one of them meanwhile: plan again
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _met(
    principal: Principal,
    store: GraphStore,
    audit: str,
    named: list[str],
    all_customers: bool,
    at: datetime,
) -> tuple[ShareRequest, ...]:
    """The open share requests a share meets, granted by it: those of the named
    members, or every one when it is shared with every customer (a member asks only
    for an audit of its network: it is a customer)."""
    return tuple(
        answer(r, principal, at, grant=True)
        for r in store.share_requests(audit=audit, status=RequestStatus.OPEN)
        if all_customers or r.member in named
    )
