"""What the API answers a member's principal about its network, in the shape of
tests.exports.read.Read: the export must say the same, and nothing more."""

from __future__ import annotations

from datetime import date
from typing import Any

from access.principal import Principal
from graph.store import GraphStore
from tests.api.member_client import data

NETWORK = """query ($after: String) { network(first: 500, after: $after) {
  nodes { id tier kind name country } pageInfo { hasNextPage endCursor } } }"""
GAPS = """query ($after: String, $asOf: Date) {
  auditGaps(asOf: $asOf, includeSmallholders: true, first: 500, after: $after) {
  nodes { node { id } tier reason } pageInfo { hasNextPage endCursor } } }"""
ONE = """o{i}: organisation(id: "{id}") {{ id name kind country tier
  requirements {{ requirement reached }} suppliers(first: 500) {{ count nodes {{ id }} }}
  auditStatus(asOf: "{day}") {{ inScope covered reason }} }}"""
COVERAGE = """query ($r: ID!) { tierCoverage(requirement: $r) { tiers { tier nodes reached } } }"""
ME = "{ me { organisation { id name kind country } } requirements { id } }"
ALIASES = 15  # the API's limit per operation
RISK = """query ($day: Date) { risk(asOf: $day, top: 500) { network decay
  weights { component weight } absent { component reason }
  tables { kind source edition imported rows }
  nodes { id score countryFallback
    components { country goods audit cascade upstream criticality } } } }"""


def pages(store: GraphStore, who: Principal, query: str, field: str, **variables: Any) -> list:
    found, after = [], None
    while True:
        page = data(store, who, query, after=after, **variables)[field]
        found += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def api_view(store: GraphStore, who: Principal, as_of: date) -> dict[str, Any]:
    """nodes (the member first), edges, gaps and tier coverage as the API gives them."""
    me = data(store, who, ME)
    member = me["me"]["organisation"]
    requirements = sorted(r["id"] for r in me["requirements"])
    network = pages(store, who, NETWORK, "network")
    gaps = {
        g["node"]["id"]: g["reason"] for g in pages(store, who, GAPS, "auditGaps", asOf=str(as_of))
    }
    ids = [member["id"]] + [n["id"] for n in network]
    nodes: dict[str, dict[str, Any]] = {}
    edges: set[tuple[str, str]] = set()
    for start in range(0, len(ids), ALIASES):
        part = ids[start : start + ALIASES]
        query = "{ " + " ".join(ONE.format(i=i, id=o, day=as_of) for i, o in enumerate(part)) + " }"
        answer = data(store, who, query)
        for i, node_id in enumerate(part):
            o = answer[f"o{i}"]
            in_network = o["tier"] > 0
            nodes[node_id] = {
                "name": o["name"],
                "country": o["country"],
                "kind": o["kind"].lower(),
                "tier": o["tier"],
                "reached": {r["requirement"]: r["reached"] for r in o["requirements"]}
                if in_network
                else None,
                "covered": o["auditStatus"]["covered"] if in_network else None,
                "reason": gaps.get(node_id),
            }
            assert o["suppliers"]["count"] == len(o["suppliers"]["nodes"])
            edges |= {(node_id, s["id"]) for s in o["suppliers"]["nodes"]}
    coverage = {
        r: {
            t["tier"]: (t["nodes"], t["reached"])
            for t in data(store, who, COVERAGE, r=r)["tierCoverage"]["tiers"]
        }
        for r in requirements
    }
    return {
        "member": member,
        "requirements": requirements,
        "order": ids,
        "nodes": nodes,
        "edges": edges,
        "gaps": gaps,
        "coverage": coverage,
    }
