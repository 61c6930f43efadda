"""Audit coverage, audit gaps and audit savings of a member on a day (DOMAIN.md).

Each audit is checked in DOMAIN.md's order and stops at its first failure; a
node is covered when one audit passes every check, and otherwise reports the
reason of the audit that got furthest (the most actionable).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


# The gap reason of a position as a small code: NO_GAP (covered, or not in scope),
# else 1 + its index here (NO_AUDIT, then the checks in order).
GAP_REASONS = (AuditGapReason.NO_AUDIT, *CHECK_ORDER)
NO_GAP = 0
REASON_VALUES = np.array(["", *(r.value for r in GAP_REASONS)])  # by code


@dataclass(eq=False)
class AuditStatus:
    """Kept as arrays by position (a network of a million nodes holds a few bytes a
    node, not a Python string or two): the lists and dicts below are built on
    demand, for answers of a page or a small network."""

    member: str
    as_of: date
    include_smallholders: bool
    in_scope: int
    saved: int  # covered nodes whose every passing audit someone else commissioned
    node_ids: np.ndarray  # the projection's ids (shared, not copied)
    audit_ids: np.ndarray  # the projection's audit ids (shared)
    covered_at: np.ndarray  # bool per position
    reason_at: np.ndarray  # int8 per position: NO_GAP, else 1 + index in GAP_REASONS
    # The gaps, by tier then node id (a large network has hundreds of thousands).
    gap_positions: np.ndarray  # int64 positions
    gap_tiers: np.ndarray  # int32, per gap
    gap_audit: np.ndarray  # int32 audit position that got furthest, per gap; -1 for NO_AUDIT
    # Every (node, audit) that covers it: by node position, then audit id.
    passing_nodes: np.ndarray  # int32 positions
    passing_audits: np.ndarray  # int32 audit positions

    @property
    def covered_count(self) -> int:
        return int(self.covered_at.sum())

    @property
    def gap_count(self) -> int:
        return len(self.gap_positions)

    @property
    def gap_codes(self) -> np.ndarray:
        """int8 per gap: its reason's code."""
        return self.reason_at[self.gap_positions]

    def reason_of(self, at: int) -> AuditGapReason | None:
        """The position's gap reason; None when covered or not in scope."""
        code = int(self.reason_at[at])
        return None if code == NO_GAP else GAP_REASONS[code - 1]

    def gap_rows(self, reason: AuditGapReason | None = None, tier: int | None = None) -> np.ndarray:
        """Indices of the gaps (in their order) with that reason and on that tier."""
        keep = np.ones(self.gap_count, dtype=bool)
        if reason is not None:
            keep &= self.gap_codes == code_of(reason)
        if tier is not None:
            keep &= self.gap_tiers == tier
        return np.flatnonzero(keep)

    def gap_node_ids(self, rows: np.ndarray | slice = slice(None)) -> list[str]:
        return [str(i) for i in self.node_ids[self.gap_positions[rows]].tolist()]

    def gap_audit_ids(self, rows: np.ndarray | slice = slice(None)) -> list[str | None]:
        """The audit that got furthest of each gap; None for NO_AUDIT."""
        at = self.gap_audit[rows]
        if not len(self.audit_ids):  # no audit stored at all: every gap is NO_AUDIT
            return [None] * len(at)
        named = self.audit_ids[np.maximum(at, 0)].tolist()
        return [str(a) if i >= 0 else None for i, a in zip(at.tolist(), named, strict=True)]

    def gap_reason_values(self, rows: np.ndarray | slice = slice(None)) -> list[str]:
        return [str(r) for r in REASON_VALUES[self.gap_codes[rows]].tolist()]

    @property
    def gaps(self) -> list[AuditGap]:
        columns = (
            self.gap_node_ids(),
            self.gap_tiers.tolist(),
            self.gap_reason_values(),
            self.gap_audit_ids(),
        )
        return [AuditGap(n, t, AuditGapReason(r), a) for n, t, r, a in zip(*columns, strict=True)]

    @property
    def covered(self) -> dict[str, list[str]]:
        """node -> its passing audit ids, ascending (built on demand)."""
        out: dict[str, list[str]] = {}
        nodes = self.node_ids[self.passing_nodes].tolist()
        audits = self.audit_ids[self.passing_audits].tolist() if len(self.passing_audits) else []
        for n, a in zip(nodes, audits, strict=True):
            out.setdefault(str(n), []).append(str(a))
        return out

    @property
    def savings(self) -> float | None:
        """Share of covered nodes the member relies on others' audits for."""
        covered = self.covered_count
        return self.saved / covered if covered else None

    @property
    def audits_used(self) -> set[str]:
        used = distinct(self.passing_audits)
        return {str(a) for a in self.audit_ids[used].tolist()} if len(used) else set()

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape (docs/cascade.md)."""
        columns = (
            self.gap_node_ids(),
            self.gap_tiers.tolist(),
            self.gap_reason_values(),
            self.gap_audit_ids(),
        )
        return {
            "member": self.member,
            "as_of": self.as_of.isoformat(),
            "include_smallholders": self.include_smallholders,
            "in_scope": self.in_scope,
            "covered": self.covered_count,
            "saved": self.saved,
            "savings": self.savings,
            "audits_used": sorted(self.audits_used),
            "gaps": [
                {"node": n, "tier": t, "reason": r, "audit": a}
                for n, t, r, a in zip(*columns, strict=True)
            ],
        }


def code_of(reason: AuditGapReason) -> int:
    return 1 + GAP_REASONS.index(reason)


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

    passing = score == PASSED
    covered = np.zeros(projection.size, dtype=bool)
    covered[node[passing]] = True
    own = distinct(node[passing & (audits.commissioner[which] == member)])
    rank = projection.rank  # positions are not in id order
    pairs = np.lexsort((which[passing], rank[node[passing]]))  # by node id, then audit id
    passing_nodes = node[passing][pairs].astype(np.int32)
    passing_audits = which[passing][pairs].astype(np.int32)

    # The audit that got furthest, per uncovered node: the last by (score, id).
    failing = ~covered[node]
    order = np.lexsort((which[failing], score[failing], node[failing]))
    f_node, f_audit, f_score = node[failing][order], which[failing][order], score[failing][order]
    last = np.r_[f_node[1:] != f_node[:-1], True] if len(f_node) else np.zeros(0, dtype=bool)
    best_audit = np.full(projection.size, -1, dtype=np.int32)
    best_score = np.zeros(projection.size, dtype=np.int8)
    best_audit[f_node[last]] = f_audit[last]
    best_score[f_node[last]] = f_score[last]

    uncovered = projection.by_id(np.flatnonzero(scope & ~covered))
    uncovered = uncovered[np.argsort(network.tier[uncovered], kind="stable")]  # then by id
    gap_audit = best_audit[uncovered]
    reason_at = np.full(projection.size, NO_GAP, dtype=np.int8)
    # NO_AUDIT (code 1) without an audit, else 2 + the checks its best audit passed.
    reason_at[uncovered] = np.where(gap_audit < 0, 1, best_score[uncovered] + 2)
    return AuditStatus(
        member=str(ids[member]),
        as_of=day,
        include_smallholders=include_smallholders,
        in_scope=int(scope.sum()),
        saved=int(covered.sum()) - len(own),
        node_ids=ids,
        audit_ids=audits.ids,
        covered_at=covered,
        reason_at=reason_at,
        gap_positions=uncovered.astype(np.int64),
        gap_tiers=network.tier[uncovered].astype(np.int32),
        gap_audit=gap_audit,
        passing_nodes=passing_nodes,
        passing_audits=passing_audits,
    )


def forum_savings(statuses: Iterable[AuditStatus]) -> dict[str, Any]:
    """Across members: covered nodes summed over members, per distinct audit that
    covers at least one of them (how many member-nodes one audit serves)."""
    statuses = list(statuses)
    covered = sum(s.covered_count for s in statuses)
    audits = set().union(*(s.audits_used for s in statuses)) if statuses else set()
    return {
        "members": len(statuses),
        "covered": covered,
        "audits": len(audits),
        "per_audit": covered / len(audits) if audits else None,
    }
