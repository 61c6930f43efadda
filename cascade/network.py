"""A member's network as the tier walk finds it, over the projection's arrays.

Walked one tier at a time (`next_tier`, then `add_tier`), so a job can
checkpoint between tiers: a tier is the sellers of the frontier's edges not
seen before. Each node is seen once, so cycles and diamonds cost nothing extra,
and no path is ever enumerated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascade.projection import Projection, distinct, run_starts

UNSEEN = -1


@dataclass
class Network:
    member: int  # the member's position
    tier: np.ndarray  # int32 per position: UNSEEN, 0 for the member, else its tier
    frontier: np.ndarray  # positions first seen at the last tier walked
    depth: int = 0  # tiers walked so far
    nodes: int = 0  # nodes in the network so far (the member excluded)

    @classmethod
    def rooted(cls, projection: Projection, member: int) -> Network:
        """Nothing walked yet: the member alone, as the frontier."""
        tier = np.full(projection.size, UNSEEN, dtype=np.int32)
        tier[member] = 0  # never in its own network, even through a cycle
        return cls(member, tier, np.array([member], dtype=np.int32))

    @property
    def done(self) -> bool:
        return not len(self.frontier)

    def next_tier(self, projection: Projection) -> np.ndarray:
        """The sellers of every edge out of the frontier not seen before (sorted)."""
        edges, _ = projection.out_edges(self.frontier)
        sellers = projection.indices[edges]
        return distinct(sellers[self.tier[sellers] == UNSEEN])

    def add_tier(self, new: np.ndarray) -> None:
        """Take in the next tier; it becomes the frontier."""
        self.frontier = new.astype(np.int32, copy=False)
        if len(new):
            self.depth += 1
            self.tier[new] = self.depth
            self.nodes += len(new)

    def lower(
        self, projection: Projection, buyers: np.ndarray, shared: int = 0
    ) -> tuple[np.ndarray, np.ndarray]:
        """After SOURCES_FROM edges out of `buyers` were added to a walked network: the
        tiers the new edges shorten, and those behind them, lowered tier by tier until
        no edge shortens any (then each tier is again the shortest path's length: the
        old tiers were lengths of paths that still exist). Returns the positions
        lowered (a position may come more than once) and their tiers before.
        `shared`: the first `shared` tiers are an older network's too (a view of its
        array): copied before one of them is lowered (a registration lowers only its
        new organisation, past them: no copy)."""
        frontier = distinct(buyers[self.tier[buyers] != UNSEEN].astype(np.int32))
        lowered, before = [], []
        while len(frontier):
            edges, from_ = projection.out_edges(frontier)
            sellers = projection.indices[edges]
            offered = self.tier[from_] + 1
            now = self.tier[sellers]
            better = (now == UNSEEN) | (offered < now)  # the member's 0 is never bettered
            sellers, offered = sellers[better], offered[better]
            if not len(sellers):
                break
            order = np.lexsort((offered, sellers))  # the lowest offer first per seller
            sellers, offered = sellers[order], offered[order]
            first = run_starts(sellers)
            frontier = sellers[first]
            if shared and bool((frontier < shared).any()):
                self.tier, shared = self.tier.copy(), 0  # copy on write
            lowered.append(frontier)
            before.append(self.tier[frontier].copy())
            self.tier[frontier] = offered[first]
        self.frontier = np.zeros(0, dtype=np.int32)
        if not lowered:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
        at, was = np.concatenate(lowered), np.concatenate(before)
        # Counted from what moved, not from every position (2 passes over 200,000 per
        # member and write): a node first lowered from UNSEEN joined; the deepest tier
        # is recounted only when a node of it was lowered.
        self.nodes += int(np.count_nonzero(was == UNSEEN))
        if (was == self.depth).any():
            self.depth = int(self.tier.max(initial=0))
        else:
            self.depth = max(self.depth, int(self.tier[at].max()))
        return at, was

    @property
    def in_network(self) -> np.ndarray:
        """bool per position: in the member's network."""
        return self.tier > 0

    def tiers_by_id(self, projection: Projection) -> dict[str, int]:
        nodes = projection.by_id(np.flatnonzero(self.in_network))  # keys in id order
        return dict(zip(projection.ids[nodes].tolist(), self.tier[nodes].tolist(), strict=True))
