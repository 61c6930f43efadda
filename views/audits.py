"""The member's audit gaps and savings on a day, and one organisation's audit status.

Computed by the CLI's function (cascade.audits.audit_status) on the current
graph. An audit the member may see is shown whole, its commissioner only as
"you or not" (naming another member would say that it buys from the supplier);
of any other audit only that it exists: id, scheme and validity, which is what a
share request needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np

from access.principal import Principal
from cascade.audits import AuditGapReason, AuditStatus
from graph.model import Finding
from graph.store import GraphStore
from views import pages
from views.member import MemberView, member_view
from views.pages import Page


class AuditSeen(NamedTuple):  # a tuple: a page makes a hundred
    id: str
    scheme: str
    audit_date: date
    valid_until: date
    visible: bool  # False: nothing more than the above is shown
    rating: str | None = None
    auditor: str | None = None
    commissioned_by_you: bool | None = None


REASONS = {r.value: r for r in AuditGapReason}


def _day(days: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + int(days))


def audits_seen(view: MemberView, store: GraphStore, audit_ids: list[str]) -> dict[str, AuditSeen]:
    """Each audit as the member may see it; the store is asked only for visible ones."""
    audits = view.projection.audits
    wanted = list(set(audit_ids))
    found = np.searchsorted(audits.ids, np.array(wanted, dtype=str)).tolist() if wanted else []
    at = dict(zip(wanted, found, strict=True))
    visible = [a for a, p in at.items() if view.visible_audits[p]]
    whole = {a.id: a for a in store.audits(visible)}
    out = {}
    for a, p in at.items():
        if a in whole:
            w = whole[a]
            out[a] = AuditSeen(
                a,
                w.scheme,
                w.audit_date,
                w.valid_until,
                True,
                w.rating,
                w.auditor,
                w.commissioned_by == view.member,
            )
        else:
            scheme = audits.schemes[int(audits.scheme[p])]
            out[a] = AuditSeen(a, scheme, _day(audits.start[p]), _day(audits.until[p]), False)
    return out


def findings(
    *, principal: Principal, store: GraphStore, audit_ids: list[str]
) -> list[list[Finding] | None]:
    """The findings of each audit, in order; None for an audit the member may not
    see (or that is not there): its findings are never shown."""
    view = member_view(principal=principal, store=store)
    audits = view.projection.audits
    visible = []
    for a in audit_ids:
        p = int(np.searchsorted(audits.ids, a))
        found = p < len(audits.ids) and audits.ids[p] == a
        if found and view.visible_audits[p] and view.tier(int(audits.organisation[p])) >= 0:
            visible.append(a)
    by_audit: dict[str, list[Finding]] = {a: [] for a in visible}
    for f in store.findings_of(visible):
        by_audit[f.audit].append(f)
    return [by_audit.get(a) for a in audit_ids]


class AuditGap(NamedTuple):  # a tuple: a page makes a hundred
    node: str
    tier: int
    reason: AuditGapReason
    audit: AuditSeen | None  # the audit that got furthest; None for NO_AUDIT


def _status(
    view: MemberView, store: GraphStore, as_of: date | None, include_smallholders: bool
) -> AuditStatus:
    return view.audit_status(store, as_of or date.today(), include_smallholders)


def audit_gaps(
    *,
    principal: Principal,
    store: GraphStore,
    as_of: date | None = None,
    reason: AuditGapReason | None = None,
    tier: int | None = None,
    include_smallholders: bool = False,
    first: int = pages.DEFAULT_PAGE,
    after: str | None = None,
) -> Page[AuditGap]:
    """Uncovered nodes in scope with their reason, by tier then id (the CLI's order)."""
    pages.check_first(first)
    pages.check_tier(tier)
    cursor = pages.decode(after, (int, str))
    view = member_view(principal=principal, store=store)
    status = _status(view, store, as_of, include_smallholders)
    rows = status.gap_rows(reason, tier)
    start = 0
    if cursor is not None:
        tiers, positions = status.gap_tiers[rows], status.gap_positions[rows]
        ids = view.projection.ids
        # By tier then id: the tiers' bounds first, then the id within the cursor's tier.
        low = int(np.searchsorted(tiers, cursor[0], side="left"))
        high = int(np.searchsorted(tiers, cursor[0], side="right"))
        start = low + int(np.searchsorted(ids[positions[low:high]], cursor[1], side="right"))
    shown = rows[start : start + first]
    nodes, audits = status.gap_node_ids(shown), status.gap_audit_ids(shown)
    seen = audits_seen(view, store, [a for a in audits if a is not None])
    items = [
        AuditGap(n, t, REASONS[r], seen[a] if a is not None else None)
        for n, t, r, a in zip(
            nodes,
            status.gap_tiers[shown].tolist(),
            status.gap_reason_values(shown),
            audits,
            strict=True,
        )
    ]
    end = pages.encode([items[-1].tier, items[-1].node]) if items else None
    return Page(items, start + first < len(rows), end, len(rows))


@dataclass(frozen=True)
class Savings:
    as_of: date
    in_scope: int
    covered: int
    saved: int  # covered nodes whose every passing audit another commissioned
    savings: float | None  # saved / covered


def audit_savings(
    *,
    principal: Principal,
    store: GraphStore,
    as_of: date | None = None,
    include_smallholders: bool = False,
) -> Savings:
    """The member's own savings; never the forum's (that would count others' networks)."""
    view = member_view(principal=principal, store=store)
    s = _status(view, store, as_of, include_smallholders)
    return Savings(s.as_of, s.in_scope, s.covered_count, s.saved, s.savings)


@dataclass(frozen=True)
class NodeAuditStatus:
    as_of: date
    in_scope: bool  # False for the member itself (not part of its network)
    covered: bool
    reason: AuditGapReason | None  # the gap's reason when not covered
    audits: list[AuditSeen]  # every audit of the node, by id


def audit_status_of(
    *, principal: Principal, store: GraphStore, id: str, as_of: date | None = None
) -> NodeAuditStatus:
    """One node's audit coverage for the member (smallholders in scope here)."""
    view = member_view(principal=principal, store=store)
    at = view.require(id)
    status = _status(view, store, as_of, True)
    audits = view.projection.audits
    mine = audits.ids[np.flatnonzero(audits.organisation == at)].tolist()
    seen = audits_seen(view, store, mine)
    in_scope = at != view.network.member
    covered = bool(status.covered_at[at])
    reason = status.reason_of(at) if in_scope and not covered else None
    return NodeAuditStatus(status.as_of, in_scope, covered, reason, [seen[a] for a in mine])
