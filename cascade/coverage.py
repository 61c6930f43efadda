"""How far one requirement of a member has travelled (DOMAIN.md, exactly).

Reached: a SOURCES_FROM path from the member on which every buyer PASSED_ON
the requirement to its seller and every seller ADOPTED it. Gaps sit at the
edge of the reached set; orphan adoptions are adopters no covered chain leads to.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cascade.network import Network


class CascadeGapReason(StrEnum):
    NOT_PASSED_ON = "NOT_PASSED_ON"
    NOT_ADOPTED = "NOT_ADOPTED"
    ORPHAN_ADOPTION = "ORPHAN_ADOPTION"


@dataclass(frozen=True, slots=True)
class CascadeGap:
    reason: CascadeGapReason
    node: str  # the node not reached (the seller of the breaking edge)
    buyer: str | None  # the buyer of the breaking edge; None for an orphan adoption
    tier: int  # the node's tier

    def as_dict(self) -> dict[str, Any]:
        return {
            "reason": self.reason.value,
            "buyer": self.buyer,
            "node": self.node,
            "tier": self.tier,
        }


@dataclass(frozen=True, slots=True)
class TierCount:
    tier: int
    nodes: int
    reached: int

    def as_dict(self) -> dict[str, int]:
        return {"tier": self.tier, "nodes": self.nodes, "reached": self.reached}


@dataclass
class Coverage:
    member: str
    requirement: str
    tiers: list[TierCount] = field(default_factory=list)
    gaps: list[CascadeGap] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)

    @property
    def depth(self) -> int:
        """The deepest tier with a reached node (0: not even tier 1)."""
        return max((t.tier for t in self.tiers if t.reached), default=0)

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape (docs/cascade.md)."""
        return {
            "member": self.member,
            "requirement": self.requirement,
            "depth": self.depth,
            "nodes": sum(t.nodes for t in self.tiers),
            "reached": len(self.reached),
            "tiers": [t.as_dict() for t in self.tiers],
            "gaps": [g.as_dict() for g in self.gaps],
        }


def coverage(
    network: Network, requirement: str, passed: set[tuple[str, str]], adopters: set[str]
) -> Coverage:
    """Coverage and gaps of one requirement the member REQUIRES, given who
    passed it on to whom and who adopted it."""
    member, tier, succ = network.member, network.tier, network.successors
    reached: set[str] = set()
    queue = deque([member])
    while queue:  # a BFS along covered edges only; each node enters once
        v = queue.popleft()
        for w in succ.get(v, ()):
            if w in tier and w not in reached and w in adopters and (v, w) in passed:
                reached.add(w)
                queue.append(w)

    gaps: list[CascadeGap] = []
    for v in (member, *reached):
        for w in succ.get(v, ()):
            if w in tier and w not in reached:
                reason = (
                    CascadeGapReason.NOT_ADOPTED
                    if (v, w) in passed
                    else CascadeGapReason.NOT_PASSED_ON
                )
                gaps.append(CascadeGap(reason, w, v, tier[w]))
    gaps.extend(
        CascadeGap(CascadeGapReason.ORPHAN_ADOPTION, w, None, tier[w])
        for w in adopters
        if w in tier and w not in reached
    )
    gaps.sort(key=lambda g: (g.tier, g.reason, g.node, g.buyer or ""))

    nodes_at = Counter(tier.values())
    reached_at = Counter(tier[n] for n in reached)
    tiers = [TierCount(t, nodes_at[t], reached_at[t]) for t in sorted(nodes_at)]
    return Coverage(member, requirement, tiers, gaps, reached)
