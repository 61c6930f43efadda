"""The `upstream` component: exposure inherited from the suppliers behind a node.

f(v) = max over w that v reaches inside the network (d >= 0) of own(w) * decay^d is
exp(-dist(v)) for a shortest path from a super-source with an edge of weight
-log own(w) to each w and edges of weight -log decay along reversed SOURCES_FROM
edges inside the network: one scipy Dijkstra, never a path enumerated.
upstream(v) = decay * max of f over v's suppliers in the network.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from cascade.network import Network
from cascade.projection import Projection
from risk.dominators import in_view_edges


def upstream(projection: Projection, network: Network, own: np.ndarray, decay: float) -> np.ndarray:
    """float64 per position: upstream(v) for network nodes, NaN elsewhere."""
    inside = np.flatnonzero(network.tier > 0)
    # int32 local numbers throughout: this is the risk model's peak (every edge of
    # the view as rows, columns and weights), and int64 cost 24 bytes an edge more.
    local = np.full(projection.size, -1, dtype=np.int32)
    local[inside] = np.arange(len(inside), dtype=np.int32)
    buyer, seller = in_view_edges(projection, network)
    keep = network.tier[buyer] > 0  # the member is not inside its own network
    b, s = local[buyer[keep]], local[seller[keep]]
    del buyer, seller, keep, local
    m = len(inside)
    source = m  # the super-source
    own_inside = own[inside]
    scored = np.flatnonzero(own_inside > 0).astype(np.int32)
    with np.errstate(divide="ignore"):
        rows = np.r_[s, np.full(len(scored), source, dtype=np.int32)]
        cols = np.r_[b, scored]
        weights = np.r_[np.full(len(s), -np.log(decay)), -np.log(own_inside[scored])]
    del own_inside
    graph = csr_matrix((weights, (rows, cols)), shape=(m + 1, m + 1))
    del rows, cols, weights
    graph.sum_duplicates()  # one edge per pair here, so nothing is added up
    dist = dijkstra(graph, directed=True, indices=source)[:m]
    f = np.exp(-dist)  # 0 where nothing with a score is reachable
    best = np.zeros(m)
    np.maximum.at(best, b, f[s])
    out = np.full(projection.size, np.nan)
    out[inside] = decay * best
    return out
