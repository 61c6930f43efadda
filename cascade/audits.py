"""Audit coverage, audit gaps and audit savings of a member on a day (DOMAIN.md).

Each audit is checked in DOMAIN.md's order and stops at its first failure; a
node is covered when one audit passes every check, and otherwise reports the
reason of the audit that got furthest (the most actionable).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from cascade.network import Network
from graph.model import AuditFacts, Kind


class AuditGapReason(StrEnum):
    NO_AUDIT = "NO_AUDIT"
    EXPIRED = "EXPIRED"
    UNRECOGNISED_SCHEME = "UNRECOGNISED_SCHEME"
    NOT_SHARED = "NOT_SHARED"
    OPEN_CRITICAL_FINDING = "OPEN_CRITICAL_FINDING"
    OVERDUE_FINDING = "OVERDUE_FINDING"


# The checks in order; an audit's score is how many it passed.
CHECK_ORDER = (
    AuditGapReason.EXPIRED,
    AuditGapReason.UNRECOGNISED_SCHEME,
    AuditGapReason.NOT_SHARED,
    AuditGapReason.OPEN_CRITICAL_FINDING,
    AuditGapReason.OVERDUE_FINDING,
)
PASSED = len(CHECK_ORDER)


def visible_to(audit: AuditFacts, member: str) -> bool:
    """Commissioned by the member, shared with it, or shared with every customer
    (the member is a customer: the audited node is in its network)."""
    return audit.commissioned_by == member or member in audit.shared_with or audit.shared_with_all


def checks_passed(audit: AuditFacts, member: str, recognised: set[str], day: date) -> int:
    """How many checks of CHECK_ORDER the audit passes before its first failure."""
    if not audit.audit_date <= day <= audit.valid_until:
        return 0
    if audit.scheme not in recognised:
        return 1
    if not visible_to(audit, member):
        return 2
    if audit.open_critical:
        return 3
    if audit.earliest_open_due is not None and audit.earliest_open_due < day:
        return 4
    return PASSED


@dataclass(frozen=True, slots=True)
class AuditGap:
    node: str
    tier: int
    reason: AuditGapReason
    audit: str | None  # the audit that got furthest; None for NO_AUDIT

    def as_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "tier": self.tier,
            "reason": self.reason.value,
            "audit": self.audit,
        }


@dataclass
class AuditStatus:
    member: str
    as_of: date
    include_smallholders: bool
    in_scope: int = 0
    covered: dict[str, list[str]] = field(default_factory=dict)  # node -> passing audit ids
    gaps: list[AuditGap] = field(default_factory=list)
    saved: int = 0  # covered nodes whose every passing audit someone else commissioned

    @property
    def savings(self) -> float | None:
        """Share of covered nodes the member relies on others' audits for."""
        return self.saved / len(self.covered) if self.covered else None

    @property
    def audits_used(self) -> set[str]:
        return {a for ids in self.covered.values() for a in ids}

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape (docs/cascade.md)."""
        return {
            "member": self.member,
            "as_of": self.as_of.isoformat(),
            "include_smallholders": self.include_smallholders,
            "in_scope": self.in_scope,
            "covered": len(self.covered),
            "saved": self.saved,
            "savings": self.savings,
            "audits_used": sorted(self.audits_used),
            "gaps": [g.as_dict() for g in self.gaps],
        }


def audit_status(
    network: Network,
    audits: Iterable[AuditFacts],
    recognised: set[str],
    day: date,
    *,
    include_smallholders: bool = False,
) -> AuditStatus:
    member = network.member
    scope = {n for n, k in network.kind.items() if include_smallholders or k != Kind.SMALLHOLDER}
    by_node: dict[str, list[AuditFacts]] = defaultdict(list)
    for audit in audits:
        if audit.organisation in scope:
            by_node[audit.organisation].append(audit)

    status = AuditStatus(member, day, include_smallholders, in_scope=len(scope))
    for node in sorted(scope, key=lambda n: (network.tier[n], n)):
        scored = [(checks_passed(a, member, recognised, day), a.id) for a in by_node.get(node, ())]
        passing = sorted(audit_id for score, audit_id in scored if score == PASSED)
        if passing:
            status.covered[node] = passing
            commissioners = {a.commissioned_by for a in by_node[node] if a.id in passing}
            status.saved += member not in commissioners
        elif not scored:
            status.gaps.append(AuditGap(node, network.tier[node], AuditGapReason.NO_AUDIT, None))
        else:
            best, audit_id = max(scored, key=lambda s: (s[0], s[1]))
            status.gaps.append(AuditGap(node, network.tier[node], CHECK_ORDER[best], audit_id))
    return status


def forum_savings(statuses: Iterable[AuditStatus]) -> dict[str, Any]:
    """Across members: covered nodes summed over members, per distinct audit that
    covers at least one of them (how many member-nodes one audit serves)."""
    statuses = list(statuses)
    covered = sum(len(s.covered) for s in statuses)
    audits = set().union(*(s.audits_used for s in statuses)) if statuses else set()
    return {
        "members": len(statuses),
        "covered": covered,
        "audits": len(audits),
        "per_audit": covered / len(audits) if audits else None,
    }
