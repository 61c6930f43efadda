"""Immediate dominators of a member's view, on the projection's CSR arrays.

Cooper, Harvey and Kennedy's iterative algorithm ("A Simple, Fast Dominance
Algorithm"), run on all nodes at once with numpy: a node's candidate is the
nearest common ancestor, in the current tree, of its buyers in the view.
Numbered by (tier, position): a dominator lies on every shortest path, so it has
a smaller tier, and every tree parent has a smaller number than its child. It
starts from a BFS tree (whose ancestors include every true dominator) and stops
when no candidate moves; a node with one buyer in the view is dominated by it
from the start and never moves.
"""

from __future__ import annotations

import numpy as np

from cascade.network import Network
from cascade.projection import Projection


def in_view_edges(projection: Projection, network: Network) -> tuple[np.ndarray, np.ndarray]:
    """(buyer, seller) of every SOURCES_FROM edge with both ends in the view and the
    seller in the network (edges into the member are left out), as int32 positions."""
    n = projection.size
    # int32 positions: every edge of the forum passes through here (twice per risk
    # answer), and int64 cost 25 MB more at a million organisations.
    buyers = np.repeat(np.arange(n, dtype=np.int32), np.diff(projection.indptr))
    sellers = projection.indices.astype(np.int32, copy=False)
    keep = (network.tier[buyers] >= 0) & (network.tier[sellers] > 0)
    return buyers[keep], sellers[keep]


def immediate_dominators(projection: Projection, network: Network) -> np.ndarray:
    """int64 per position: the immediate dominator of each network node, the member
    for itself, -1 outside the view."""
    tier = network.tier
    n = projection.size
    buyer, seller = in_view_edges(projection, network)
    view = np.flatnonzero(tier >= 0)
    order = view[np.argsort(tier[view], kind="stable")]
    number = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    number[order] = np.arange(len(order))

    idom = np.full(n, -1, dtype=np.int64)
    idom[network.member] = network.member
    # The BFS tree: one buyer a tier above each node.
    parent = tier[buyer] == tier[seller] - 1
    idom[seller[parent]] = buyer[parent]

    by_seller = np.lexsort((buyer, seller))
    buyer, seller = buyer[by_seller], seller[by_seller]
    counts = np.bincount(seller, minlength=n)
    multi = counts[seller] > 1  # single-buyer nodes are settled by the BFS tree
    buyer, seller = buyer[multi], seller[multi]
    starts = np.r_[0, np.flatnonzero(seller[1:] != seller[:-1]) + 1] if len(seller) else seller
    nodes = seller[starts]
    rank = np.arange(len(seller)) - np.repeat(starts, np.diff(np.r_[starts, len(seller)]))
    while True:
        candidate = buyer[starts].copy()
        for k in range(1, int(rank.max(initial=0)) + 1):
            at = rank == k
            holder = np.searchsorted(nodes, seller[at])
            candidate[holder] = _common_ancestor(candidate[holder], buyer[at], idom, number)
        moved = candidate != idom[nodes]
        if not moved.any():
            return idom
        idom[nodes] = candidate


def _common_ancestor(
    a: np.ndarray, b: np.ndarray, idom: np.ndarray, number: np.ndarray
) -> np.ndarray:
    """Pairwise nearest common ancestor in the tree `idom` (parents numbered lower)."""
    a, b = a.copy(), b.copy()
    active = np.flatnonzero(a != b)
    while len(active):
        x, y = a[active], b[active]
        up_x = number[x] > number[y]
        x[up_x] = idom[x[up_x]]
        up_y = number[y] > number[x]
        y[up_y] = idom[y[up_y]]
        a[active], b[active] = x, y
        active = active[x != y]
    return a


def dominated_counts(idom: np.ndarray, network: Network) -> np.ndarray:
    """int64 per position: how many network nodes the node dominates, itself excluded."""
    tier = network.tier
    size = (tier > 0).astype(np.int64)
    nodes = np.flatnonzero(tier > 0)
    nodes = nodes[np.argsort(-tier[nodes], kind="stable")]
    levels = np.r_[0, np.flatnonzero(np.diff(tier[nodes]) != 0) + 1, len(nodes)]
    for lo, hi in zip(levels[:-1], levels[1:], strict=True):
        level = nodes[lo:hi]
        np.add.at(size, idom[level], size[level])  # parents sit a tier or more above
    return size - (tier > 0)
