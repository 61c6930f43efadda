"""How far the member's requirements have travelled: its requirements, tier
coverage, cascade gaps page by page, and the stored runs to compare periods.

Coverage and gaps are computed on the current graph when asked, by the same
function as `tiergraph cascade run` (cascade.coverage), so the numbers are the
CLI's; coverage history lists the runs saved by cascade jobs.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from access.errors import BadUserInput
from access.principal import Principal
from cascade.coverage import CascadeGapReason
from graph.model import Requirement
from graph.store import GraphStore
from views import pages
from views.member import MemberView, member_view, not_found
from views.pages import Page

MAX_HISTORY = 100  # stored runs one coverageHistory answer lists at most


def requirements(*, principal: Principal, store: GraphStore) -> list[Requirement]:
    """The requirements the member REQUIRES, by id."""
    view = member_view(principal=principal, store=store)
    return store.requirements(view.required(store))


def _required(view: MemberView, store: GraphStore, requirement: str) -> None:
    """NOT_FOUND for a requirement the member does not require, whether it exists
    or not (another member's requirements are not its business)."""
    if requirement not in view.required(store):
        raise not_found("requirement", requirement)


@dataclass(frozen=True)
class TierCount:
    tier: int
    nodes: int
    reached: int


@dataclass(frozen=True)
class TierCoverage:
    requirement: str
    depth: int
    nodes: int
    reached: int
    tiers: list[TierCount]


def tier_coverage(*, principal: Principal, store: GraphStore, requirement: str) -> TierCoverage:
    view = member_view(principal=principal, store=store)
    _required(view, store, requirement)
    return _tier_coverage(view.counts(requirement))


def _tier_coverage(payload: dict[str, Any]) -> TierCoverage:
    return TierCoverage(
        payload["requirement"],
        payload["depth"],
        payload["nodes"],
        payload["reached"],
        [TierCount(t["tier"], t["nodes"], t["reached"]) for t in payload["tiers"]],
    )


@dataclass(frozen=True)
class CascadeGap:
    reason: CascadeGapReason
    tier: int
    node: str
    buyer: str | None  # None for ORPHAN_ADOPTION


def _gap_key(gap: dict[str, Any]) -> tuple[int, str, str, str]:
    """The CLI's order (tier, reason, node, buyer), as a comparable key."""
    return (gap["tier"], gap["reason"], gap["node"], gap["buyer"] or "")


def cascade_gaps(
    *,
    principal: Principal,
    store: GraphStore,
    requirement: str,
    reason: CascadeGapReason | None = None,
    tier: int | None = None,
    first: int = pages.DEFAULT_PAGE,
    after: str | None = None,
) -> Page[CascadeGap]:
    """The gaps of one requirement, in the CLI's order (tier, reason, node, buyer)."""
    pages.check_first(first)
    pages.check_tier(tier)
    cursor = pages.decode(after, (int, str, str, str))
    view = member_view(principal=principal, store=store)
    _required(view, store, requirement)
    rows = [
        g
        for g in view.coverage(requirement)["gaps"]
        if (reason is None or g["reason"] == reason.value) and (tier is None or g["tier"] == tier)
    ]
    start = 0 if cursor is None else bisect.bisect_right(rows, tuple(cursor), key=_gap_key)
    shown = rows[start : start + first]
    items = [
        CascadeGap(CascadeGapReason(g["reason"]), g["tier"], g["node"], g["buyer"]) for g in shown
    ]
    end = pages.encode(list(_gap_key(shown[-1]))) if shown else None
    return Page(items, start + first < len(rows), end, len(rows))


@dataclass(frozen=True)
class CoverageRun:
    computed_at: str
    coverage: TierCoverage
    gaps_by_reason: dict[str, int]


def coverage_history(
    *, principal: Principal, store: GraphStore, requirement: str, last: int = 10
) -> list[CoverageRun]:
    """The latest `last` stored runs of one requirement, newest first."""
    if not 1 <= last <= MAX_HISTORY:
        raise BadUserInput("last", f"must be between 1 and {MAX_HISTORY}, got {last}")
    view = member_view(principal=principal, store=store)
    _required(view, store, requirement)
    runs = store.results("coverage", view.member, requirement, limit=last)
    out = []
    for run in runs:
        counts: dict[str, int] = {}
        for g in run.payload["gaps"]:
            counts[g["reason"]] = counts.get(g["reason"], 0) + 1
        out.append(CoverageRun(run.computed_at, _tier_coverage(run.payload), counts))
    return out
