"""How far one requirement of a member has travelled (DOMAIN.md, exactly).

Reached: a SOURCES_FROM path from the member on which every buyer PASSED_ON
the requirement to its seller and every seller ADOPTED it. Gaps sit at the
edge of the reached set; orphan adoptions are adopters no covered chain leads to.
Computed on the projection's arrays, one tier of covered edges per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from cascade.delta import find_edges
from cascade.network import Network
from cascade.projection import Projection, contains, distinct, pair_key


class CascadeGapReason(StrEnum):
    NOT_ADOPTED = "NOT_ADOPTED"
    NOT_PASSED_ON = "NOT_PASSED_ON"
    ORPHAN_ADOPTION = "ORPHAN_ADOPTION"


REASONS = np.array([r.value for r in CascadeGapReason])  # codes in str order, as gaps sort
NOT_ADOPTED, NOT_PASSED_ON, ORPHAN_ADOPTION = range(3)
NOBODY = -1  # the buyer of an orphan adoption


def reached_set(
    projection: Projection, network: Network, passed: np.ndarray, adopted: np.ndarray
) -> np.ndarray:
    """bool per position: reached along covered edges only (a BFS, each node once)."""
    in_network = network.in_network
    reached = np.zeros(projection.size, dtype=bool)
    frontier = np.array([network.member], dtype=np.int32)
    while len(frontier):
        edges, _ = projection.out_edges(frontier)
        sellers = projection.indices[edges]
        covered = passed[edges] & adopted[sellers] & in_network[sellers] & ~reached[sellers]
        frontier = distinct(sellers[covered])
        reached[frontier] = True
    return reached


def reached_from(
    projection: Projection,
    network: Network,
    requirement: str,
    known: np.ndarray,
    since: Since | None = None,
) -> np.ndarray:
    """The reached set, from `known`: nodes known to be reached (a reached set of an
    earlier graph version that only gained nodes, edges, pass-ons and adoptions
    since). A node joins only through a covered edge out of the known set (or the
    member) into a node not yet reached: `since`, what was written since `known` was
    right (views.carry), names the only edges that can be (O(change)); without it
    every edge the requirement was passed on along is looked at (O(passed)). The
    walk on from the nodes that joined looks up only their edges (`grown`). `known`
    is never changed; returned as it is when nothing joined."""
    if since is None:
        edges = projection.passed.get(requirement, np.zeros(0, dtype=np.int64))
    else:
        edges = since.edges(projection, requirement)
    buyers = np.searchsorted(projection.indptr, edges, side="right") - 1
    sellers = projection.indices[edges]
    fresh = (known[buyers] | (buyers == network.member)) & ~known[sellers]
    fresh &= network.tier[sellers] > 0
    if fresh.any():
        fresh[fresh] = contains(
            projection.adopters.get(requirement, NOBODY_ADOPTED), sellers[fresh]
        )
    if not fresh.any():
        return known
    return grown(projection, network, requirement, known, distinct(sellers[fresh]))


NOBODY_ADOPTED = np.zeros(0, dtype=np.int32)


def grown(
    projection: Projection,
    network: Network,
    requirement: str,
    known: np.ndarray,
    joined: np.ndarray,
) -> np.ndarray:
    """`known` (a reached set, not changed) with the nodes `joined` and every node
    reached from them along covered edges: a BFS that looks up each step's edges in
    the requirement's pass-on pairs and adopters (sorted searches), so it costs the
    edges out of the nodes that joined, not a pass over every edge and node."""
    reached = known.copy()
    reached[joined] = True
    pairs = projection.passed_pairs(requirement)
    adopters = projection.adopters.get(requirement, NOBODY_ADOPTED)
    frontier = joined
    while len(frontier):
        edges, buyers = projection.out_edges(frontier)
        sellers = projection.indices[edges]
        ok = (network.tier[sellers] > 0) & ~reached[sellers]
        ok[ok] = contains(adopters, sellers[ok])
        ok[ok] = contains(pairs, pair_key(buyers[ok], sellers[ok]))
        frontier = distinct(sellers[ok])
        reached[frontier] = True
    return reached


@dataclass(frozen=True)
class Since:
    """What writes since a reached set was right may have extended it (DOMAIN.md: a
    node joins only when an edge on a covered path becomes covered, that is when its
    SOURCES_FROM edge, its PASSED_ON or its seller's ADOPTED is written): the
    buyer->seller pair keys written (edges and pass-ons of the requirement) and the
    positions that adopted it. Positions are stable, so these stay right as later
    writes append organisations."""

    pairs: np.ndarray  # int64 pair keys (cascade.projection.pair_key)
    adopters: np.ndarray  # int64 positions

    def joined(self, other: Since) -> Since:
        return Since(
            np.concatenate((self.pairs, other.pairs)),
            np.concatenate((self.adopters, other.adopters)),
        )

    def edges(self, projection: Projection, requirement: str) -> np.ndarray:
        """The edge numbers (sorted) of the edges written, passed on along or into a
        new adopter from a buyer that passed the requirement on to it, that the
        requirement is passed on along now (its pass-on pairs searched: no edge
        numbers of every pass-on made)."""
        pairs = projection.passed_pairs(requirement)
        keys = [self.pairs]
        if len(self.adopters):
            keys.append(pairs[np.isin(pairs & 0xFFFFFFFF, self.adopters)])
        wanted = distinct(np.concatenate(keys))
        wanted = wanted[contains(pairs, wanted)]
        return find_edges(projection.indptr, projection.indices, wanted)


def covered(projection: Projection, requirement: str) -> tuple[np.ndarray, np.ndarray]:
    """bool per edge: the requirement was PASSED_ON along it; bool per position: ADOPTED."""
    passed = np.zeros(len(projection.indices), dtype=bool)
    passed[projection.passed.get(requirement, [])] = True
    adopted = np.zeros(projection.size, dtype=bool)
    adopted[projection.adopters.get(requirement, [])] = True
    return passed, adopted


def tier_sizes(network: Network) -> np.ndarray:
    """Nodes of the network per tier (index 0: none, the member is not in it)."""
    return np.bincount(network.tier[network.in_network], minlength=network.depth + 1)


def reached_per_tier(network: Network, reached: np.ndarray, tiers: int) -> np.ndarray:
    """Reached nodes per tier (index 0: none), at least `tiers` long."""
    return np.bincount(network.tier[reached], minlength=tiers)


def counts(
    projection: Projection,
    network: Network,
    requirement: str,
    reached: np.ndarray,
    nodes_at: np.ndarray | None = None,
    reached_at: np.ndarray | None = None,
) -> dict[str, Any]:
    """The coverage payload without its gaps: per tier nodes and reached, the depth.
    `nodes_at`: tier_sizes(network), `reached_at`: reached_per_tier(...), when known."""
    if nodes_at is None:
        nodes_at = tier_sizes(network)
    if reached_at is None:
        reached_at = reached_per_tier(network, reached, len(nodes_at))
    tiers = [
        {"tier": t, "nodes": n, "reached": r}
        for t, (n, r) in enumerate(zip(nodes_at.tolist(), reached_at.tolist(), strict=True))
        if n
    ]
    depth = max((t["tier"] for t in tiers if t["reached"]), default=0)
    return {
        "member": str(projection.ids[network.member]),
        "requirement": requirement,
        "depth": depth,
        "nodes": int(nodes_at.sum()),
        "reached": int(reached_at.sum()),
        "tiers": tiers,
    }


def coverage(projection: Projection, network: Network, requirement: str) -> dict[str, Any]:
    """Coverage and gaps of one requirement the member REQUIRES, as the stable
    JSON shape of docs/cascade.md."""
    passed, adopted = covered(projection, requirement)
    reached = reached_set(projection, network, passed, adopted)
    return counts(projection, network, requirement, reached) | {
        "gaps": gaps(projection, network, passed, adopted, reached)
    }


def gaps(
    projection: Projection,
    network: Network,
    passed: np.ndarray,
    adopted: np.ndarray,
    reached: np.ndarray,
) -> list[dict[str, Any]]:
    """Every edge out of the member or a reached node into the network but not
    reached, and every unreached adopter; by tier, reason, node, then buyer."""
    tier = network.tier
    outside = network.in_network & ~reached
    sources = np.concatenate(([network.member], np.flatnonzero(reached))).astype(np.int32)
    edges, buyers = projection.out_edges(sources)
    sellers = projection.indices[edges]
    breaking = outside[sellers]
    edges, buyers, sellers = edges[breaking], buyers[breaking], sellers[breaking]
    orphans = np.flatnonzero(adopted & outside)

    node = np.concatenate((sellers, orphans))
    buyer = np.concatenate((buyers, np.full(len(orphans), NOBODY)))
    reason = np.concatenate(
        (
            np.where(passed[edges], NOT_ADOPTED, NOT_PASSED_ON),
            np.full(len(orphans), ORPHAN_ADOPTION),
        )
    )
    node_tier = tier[node]
    # Positions are not in id order (cascade.projection): order by their rank.
    rank = projection.rank
    buyer_rank = np.where(buyer == NOBODY, -1, rank[np.maximum(buyer, 0)])
    order = np.lexsort((buyer_rank, rank[node], reason, node_tier))
    node, buyer, reason, node_tier = node[order], buyer[order], reason[order], node_tier[order]
    buyer_ids: list[str | None] = projection.ids[np.maximum(buyer, 0)].tolist()
    for i in np.flatnonzero(buyer == NOBODY).tolist():
        buyer_ids[i] = None
    return [
        {"reason": r, "buyer": b, "node": n, "tier": t}
        for r, b, n, t in zip(
            REASONS[reason].tolist(),
            buyer_ids,
            projection.ids[node].tolist(),
            node_tier.tolist(),
            strict=True,
        )
    ]
