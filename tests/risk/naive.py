"""DOMAIN.md's "Network risk", written down as it reads, on a GraphBatch's rows:
plain loops, a BFS per node for distances, and for criticality the network BFS'd
again with each node taken out. Tiers, reached sets and audit gaps come from the
cascade's own naive reference (tests/cascade/test_reference.py)."""

from __future__ import annotations

import math
from collections import deque
from datetime import date

from graph.model import GraphBatch
from risk.tables import RiskTables
from risk.weights import COMPONENTS, Weights
from tests.cascade.test_reference import Forum, ref_audits, ref_reached, ref_tiers

AUDIT = {
    "NO_AUDIT": 1.0,
    "EXPIRED": 0.8,
    "OPEN_CRITICAL_FINDING": 0.8,
    "OVERDUE_FINDING": 0.6,
    "UNRECOGNISED_SCHEME": 0.4,
    "NOT_SHARED": 0.2,
}


def distances(sellers: dict[str, list[str]], start: str, inside: set[str]) -> dict[str, int]:
    """Shortest SOURCES_FROM distances from `start`, walking only through `inside`."""
    seen = {start: 0}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        for w in sellers.get(v, []):
            if w in inside and w not in seen:
                seen[w] = seen[v] + 1
                queue.append(w)
    return seen


def naive_risk(
    batch: GraphBatch, member: str, day: date, tables: RiskTables, weights: Weights
) -> dict[str, dict]:
    """node -> {"score": ..., "components": {name: value or None}, "fallback": bool}."""
    forum = Forum.of(batch)
    country = {o.id: o.country for o in batch.organisations}
    tier = ref_tiers(forum, member)
    network = set(tier)
    sellers: dict[str, list[str]] = {}
    for v, w in forum.sources.edges:
        sellers.setdefault(v, []).append(w)
    comps: dict[str, dict[str, float]] = {}
    fallback = dict.fromkeys(network, False)

    if tables.countries is not None:
        scores = tables.countries.scores
        worst = 1 - min(scores.values())
        comps["country"] = {}
        for n in network:
            if country[n] in scores:
                comps["country"][n] = 1 - scores[country[n]]
            else:
                comps["country"][n] = worst
                fallback[n] = True
    if tables.goods is not None:
        goods = tables.goods
        comps["goods"] = dict.fromkeys(network, 0.0)
        for s in batch.sourcing:
            if s.seller in network and (s.buyer == member or s.buyer in network):
                name = " ".join(s.commodity.lower().split())
                good = tables.commodities.aliases.get(name)
                if good not in goods.goods:
                    good = name if name in goods.goods else None
                if good is not None:
                    level = goods.level.get((good, country[s.seller]), 0.0)
                    comps["goods"][s.seller] = max(comps["goods"][s.seller], level)
    gaps = {g["node"]: g["reason"] for g in ref_audits(forum, member, day, True)["gaps"]}
    comps["audit"] = {n: AUDIT[gaps[n]] if n in gaps else 0.0 for n in network}
    required = sorted(forum.requires[member])
    if required:
        reached = [ref_reached(forum, member, r) for r in required]
        comps["cascade"] = {n: sum(n not in r for r in reached) / len(required) for n in network}

    w = weights.by_component()
    others = [c for c in COMPONENTS if c in comps and c not in ("upstream", "criticality")]
    # criticality: the network nodes every path from the member goes through n to reach
    comps["criticality"] = {}
    for n in network:
        without = distances(sellers, member, network - {n})
        lost = network - {n} - set(without)
        comps["criticality"][n] = len(lost) / len(network)
    others.append("criticality")
    total = sum(w[c] for c in others)
    own = {n: sum(w[c] / total * comps[c][n] for c in others) if total else 0.0 for n in network}
    comps["upstream"] = {}
    for n in network:
        # d >= 1: one step to a supplier, then its shortest distance (back to n itself
        # around a cycle too, as the fixed point of DOMAIN.md counts it)
        best = 0.0
        for u in sellers.get(n, []):
            if u in network:
                for x, k in distances(sellers, u, network).items():
                    best = max(best, own[x] * weights.decay ** (k + 1))
        comps["upstream"][n] = best
    present = [c for c in COMPONENTS if c in comps]
    total = sum(w[c] for c in present)
    out = {}
    for n in network:
        score = 100 * sum(w[c] / total * comps[c][n] for c in present)
        assert math.isfinite(score)
        out[n] = {
            "score": score,
            "components": {c: comps[c][n] if c in comps else None for c in COMPONENTS},
            "fallback": fallback[n],
        }
    return out
