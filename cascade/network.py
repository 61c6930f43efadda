"""A member's network as the tier walk found it: tiers, kinds and edges.

Built one tier at a time (`add_tier`), so a job can checkpoint between tiers;
each node is visited once, so cycles and diamonds cost nothing extra.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.model import Kind


@dataclass(slots=True)
class TierStep:
    """What one expansion of the frontier returned: every SOURCES_FROM edge out
    of the frontier (as two columns) and the kind of each edge's seller."""

    src: list[str]
    dst: list[str]
    dst_kind: list[str]

    def as_dict(self) -> dict[str, list[str]]:
        return {"src": self.src, "dst": self.dst, "dst_kind": self.dst_kind}


@dataclass
class Network:
    member: str
    tier: dict[str, int] = field(
        default_factory=dict
    )  # node -> shortest distance (member excluded)
    kind: dict[str, Kind] = field(default_factory=dict)
    successors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    frontier: list[str] = field(default_factory=list)
    depth: int = 0  # tiers walked so far

    def __post_init__(self) -> None:
        if not self.frontier and not self.tier and not self.depth:
            self.frontier = [self.member]

    @property
    def done(self) -> bool:
        return not self.frontier

    def add_tier(self, step: TierStep) -> list[str]:
        """Take in the edges out of the current frontier; the new frontier is
        every seller not seen before, at the next tier."""
        next_tier = self.depth + 1
        new: list[str] = []
        seen_pairs: set[tuple[str, str]] = set()
        for v, w, kind in zip(step.src, step.dst, step.dst_kind, strict=True):
            if (v, w) in seen_pairs:
                continue  # several commodities on one buyer->seller pair
            seen_pairs.add((v, w))
            self.successors[v].append(w)
            if w != self.member and w not in self.tier:
                self.tier[w] = next_tier
                self.kind[w] = Kind(kind)
                new.append(w)
        self.frontier = new
        self.depth = next_tier if new else self.depth
        return new

    def relabel(self, ids: dict[Any, str]) -> Network:
        """The same network with the store's handles replaced by organisation ids
        (`ids` maps every handle of the network, the member's included)."""
        succ: dict[str, list[str]] = defaultdict(list)
        for v, ws in self.successors.items():
            succ[ids[v]] = [ids[w] for w in ws]
        return Network(
            ids[self.member],
            {ids[n]: t for n, t in self.tier.items()},
            {ids[n]: k for n, k in self.kind.items()},
            succ,
            [],
            self.depth,
        )
