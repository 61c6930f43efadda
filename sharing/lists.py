"""Both sides' lists of share requests, newest first, in keyset pages: a member's
people (sourcing and analyst keys) see the requests their member made; a supplier
sees the requests made to it, each naming the member that asks, and never a
request made to anyone else. Operators have no side: FORBIDDEN."""

from __future__ import annotations

from access.principal import Principal, Role
from graph.store import GraphStore, RequestStatus
from mutations.scope import own_organisation
from sharing.shown import RequestSeen
from views import pages
from views.member import MEMBER_ROLES, require_role
from views.pages import Page


def share_requests(
    *,
    principal: Principal,
    store: GraphStore,
    status: RequestStatus | None = None,
    first: int = pages.DEFAULT_PAGE,
    after: str | None = None,
) -> Page[RequestSeen]:
    pages.check_first(first)
    cursor = pages.decode(after, (str, str))
    require_role(principal, *MEMBER_ROLES, Role.SUPPLIER)
    if principal.role == Role.SUPPLIER:
        me = own_organisation(principal, store, Role.SUPPLIER)
        rows = store.share_requests(owner=me.id, status=status)
    else:
        rows = store.share_requests(member=principal.organisation, status=status)
    rows.reverse()  # newest first
    start = 0
    if cursor is not None:  # after the cursor's row, in (at, id) descending
        start = sum(1 for r in rows if (r.at, r.id) >= tuple(cursor))
    shown = rows[start : start + first]
    audits = {a.id: a for a in store.audits({r.audit for r in shown})}
    items = [RequestSeen.of(r, audits.get(r.audit)) for r in shown]
    end = pages.encode([shown[-1].at, shown[-1].id]) if shown else None
    return Page(items, start + first < len(rows), end, len(rows))
