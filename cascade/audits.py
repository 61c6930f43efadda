"""Audit coverage, audit gaps and audit savings of a member on a day (DOMAIN.md).

Each audit is checked in DOMAIN.md's order and stops at its first failure; a
node is covered when one audit passes every check, and otherwise reports the
reason of the audit that got furthest (the most actionable).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np

from cascade.network import Network
from cascade.projection import Audits, Projection, distinct
from graph.model import Kind
from graph.store import KIND_ORDER


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
    saved: int = 0  # covered nodes whose every passing audit someone else commissioned
    # The gaps as columns, by tier then node (a large network has hundreds of thousands).
    gap_nodes: list[str] = field(default_factory=list)
    gap_tiers: list[int] = field(default_factory=list)
    gap_reasons: list[str] = field(default_factory=list)
    gap_audits: list[str | None] = field(default_factory=list)  # None for NO_AUDIT

    @property
    def gaps(self) -> list[AuditGap]:
        columns = (self.gap_nodes, self.gap_tiers, self.gap_reasons, self.gap_audits)
        return [AuditGap(n, t, AuditGapReason(r), a) for n, t, r, a in zip(*columns, strict=True)]

    @property
    def savings(self) -> float | None:
        """Share of covered nodes the member relies on others' audits for."""
        return self.saved / len(self.covered) if self.covered else None

    @property
    def audits_used(self) -> set[str]:
        return {a for ids in self.covered.values() for a in ids}

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape (docs/cascade.md)."""
        columns = (self.gap_nodes, self.gap_tiers, self.gap_reasons, self.gap_audits)
        return {
            "member": self.member,
            "as_of": self.as_of.isoformat(),
            "include_smallholders": self.include_smallholders,
            "in_scope": self.in_scope,
            "covered": len(self.covered),
            "saved": self.saved,
            "savings": self.savings,
            "audits_used": sorted(self.audits_used),
            "gaps": [
                {"node": n, "tier": t, "reason": r, "audit": a}
                for n, t, r, a in zip(*columns, strict=True)
            ],
        }


def checks_passed(
    audits: Audits, which: np.ndarray, member: int, recognised: set[str], day: int
) -> np.ndarray:
    """For each audit in `which`: how many checks of CHECK_ORDER it passes before
    its first failure (PASSED: all of them)."""
    valid = (audits.start[which] <= day) & (day <= audits.until[which])
    known = [i for i, s in enumerate(audits.schemes) if s in recognised]
    recognised_ = np.isin(audits.scheme[which], known)
    shared = np.zeros(len(audits.ids), dtype=bool)
    shared[audits.share_audit[audits.share_member == member]] = True
    visible = (audits.commissioner[which] == member) | shared[which] | audits.to_all[which]
    overdue = audits.earliest_due[which] < day
    return np.select(
        [~valid, ~recognised_, ~visible, audits.open_critical[which], overdue],
        [0, 1, 2, 3, 4],
        default=PASSED,
    )


def audit_status(
    projection: Projection,
    network: Network,
    recognised: set[str],
    day: date,
    *,
    include_smallholders: bool = False,
) -> AuditStatus:
    member, audits, ids = network.member, projection.audits, projection.ids
    scope = network.in_network
    if not include_smallholders:
        scope &= projection.kind != KIND_ORDER.index(Kind.SMALLHOLDER)
    which = np.flatnonzero(scope[audits.organisation])  # in id order
    score = checks_passed(
        audits, which, member, recognised, int(np.datetime64(day, "D").astype(int))
    )
    node = audits.organisation[which]
    status = AuditStatus(str(ids[member]), day, include_smallholders, int(scope.sum()))

    passing = score == PASSED
    for n, a in zip(ids[node[passing]].tolist(), audits.ids[which[passing]].tolist(), strict=True):
        status.covered.setdefault(n, []).append(a)  # ids ascending: audits are in id order
    covered = np.zeros(projection.size, dtype=bool)
    covered[node[passing]] = True
    own = distinct(node[passing & (audits.commissioner[which] == member)])
    status.saved = len(status.covered) - len(own)

    # The audit that got furthest, per uncovered node: the last by (score, id).
    failing = ~covered[node]
    order = np.lexsort((which[failing], score[failing], node[failing]))
    f_node, f_audit, f_score = node[failing][order], which[failing][order], score[failing][order]
    last = np.r_[f_node[1:] != f_node[:-1], True] if len(f_node) else np.zeros(0, dtype=bool)
    best_audit = np.full(projection.size, -1, dtype=np.int64)
    best_score = np.zeros(projection.size, dtype=np.int64)
    best_audit[f_node[last]] = f_audit[last]
    best_score[f_node[last]] = f_score[last]

    uncovered = np.flatnonzero(scope & ~covered)
    uncovered = uncovered[np.argsort(network.tier[uncovered], kind="stable")]  # then by id
    audit_of = best_audit[uncovered]
    reasons = np.array([AuditGapReason.NO_AUDIT.value, *(r.value for r in CHECK_ORDER)])
    status.gap_nodes = ids[uncovered].tolist()
    status.gap_tiers = network.tier[uncovered].tolist()
    status.gap_reasons = reasons[np.where(audit_of < 0, 0, best_score[uncovered] + 1)].tolist()
    # No audit stored at all: every gap is NO_AUDIT (and there is no id to index).
    named = audits.ids[np.maximum(audit_of, 0)].tolist() if len(audits.ids) else audit_of.tolist()
    status.gap_audits = [
        a if i >= 0 else None for i, a in zip(audit_of.tolist(), named, strict=True)
    ]
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
