"""The embedded store: the whole graph in memory (networkx), saved to one JSON
file in a data folder after every write, so CLI commands can follow each other
with no server at all."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from graph.codec import batch_from_dict, batch_to_dict, sorted_batch
from graph.model import (
    AuditFacts,
    Finding,
    FindingStatus,
    GraphBatch,
    Kind,
    Organisation,
    Severity,
)
from graph.store import Entity, StoredResult, UnknownReference

STORE_FILE = "store.json"
FORMAT_VERSION = 1


# Each edge row's identity: a later row with the same key replaces the earlier.
EDGE_KEYS: dict[str, Any] = {
    "requires": lambda r: (r.member, r.requirement),
    "pass_on": lambda r: (r.buyer, r.seller, r.requirement),
    "adoptions": lambda r: (r.organisation, r.requirement),
    "shares": lambda r: (r.audit, r.member),
    "recognitions": lambda r: (r.member, r.scheme),
}


class MemoryStore:
    def __init__(self, data_dir: Path | None = None):
        self.path = data_dir / STORE_FILE if data_dir else None
        self.sourcing = nx.MultiDiGraph()  # org ids; edge key = commodity
        self.requirements: dict[str, Any] = {}
        self.audits: dict[str, Any] = {}
        self.findings: dict[str, Any] = {}
        self.edges: dict[str, dict[tuple, Any]] = {name: {} for name in EDGE_KEYS}
        self.extra: dict[str, Any] = {}  # other documents kept beside the graph
        if self.path and self.path.exists():
            self._load()

    # ---- persistence -------------------------------------------------
    def _load(self) -> None:
        assert self.path is not None
        data = json.loads(self.path.read_text(encoding="utf-8"))
        self.extra = data.get("extra", {})
        self._apply(batch_from_dict(data["graph"]))

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": FORMAT_VERSION,
            "graph": batch_to_dict(self.export()),
            "extra": self.extra,
        }
        # Write then rename: a crash never leaves a half-written store file.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".store-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, separators=(",", ":"))
        os.replace(tmp, self.path)

    # ---- writes ------------------------------------------------------
    def write(self, batch: GraphBatch, progress: Callable[[int], None] | None = None) -> None:
        self._check_references(batch)
        self._apply(batch)
        self.save()
        if progress:
            progress(len(batch))

    def _check_references(self, batch: GraphBatch) -> None:
        orgs = {o.id for o in batch.organisations}
        reqs = {r.id for r in batch.requirements}
        audits = {a.id for a in batch.audits}

        def missing(what: str, ids: Iterable[str], new: set[str], known: Any) -> None:
            unknown = {i for i in ids if i not in new and i not in known}
            if unknown:
                raise UnknownReference(what, unknown)

        g = self.sourcing
        org_refs = [
            *(x for r in batch.requires for x in (r.member,)),
            *(x for r in batch.sourcing for x in (r.buyer, r.seller)),
            *(x for r in batch.pass_on for x in (r.buyer, r.seller)),
            *(r.organisation for r in batch.adoptions),
            *(x for r in batch.audits for x in (r.organisation, r.commissioned_by)),
            *(r.member for r in batch.shares),
            *(r.member for r in batch.recognitions),
        ]
        missing("organisation", org_refs, orgs, g)
        req_refs = [
            *(r.requirement for r in batch.requires),
            *(r.requirement for r in batch.pass_on),
            *(r.requirement for r in batch.adoptions),
        ]
        missing("requirement", req_refs, reqs, self.requirements)
        audit_refs = [*(r.audit for r in batch.findings), *(r.audit for r in batch.shares)]
        missing("audit", audit_refs, audits, self.audits)

    def _apply(self, batch: GraphBatch) -> None:
        g = self.sourcing
        for org in batch.organisations:
            g.add_node(org.id, org=org)
        self.requirements.update((r.id, r) for r in batch.requirements)
        for s in batch.sourcing:
            g.add_edge(s.buyer, s.seller, key=s.commodity, row=s)
        self.audits.update((a.id, a) for a in batch.audits)
        self.findings.update((f.id, f) for f in batch.findings)
        for name, key in EDGE_KEYS.items():
            self.edges[name].update((key(r), r) for r in getattr(batch, name))

    def remove_sourcing(self, buyer: str, seller: str, commodity: str | None = None) -> int:
        g = self.sourcing
        if not g.has_edge(buyer, seller):
            return 0
        keys = [commodity] if commodity is not None else list(g[buyer][seller])
        removed = 0
        for key in keys:
            if g.has_edge(buyer, seller, key=key):
                g.remove_edge(buyer, seller, key=key)
                removed += 1
        if removed:
            self.save()
        return removed

    # ---- reads -------------------------------------------------------
    def organisation(self, org_id: str) -> Organisation | None:
        node = self.sourcing.nodes.get(org_id)
        return node["org"] if node else None

    def kinds(self, ids: Iterable[str]) -> dict[str, Kind]:
        nodes = self.sourcing.nodes
        return {i: nodes[i]["org"].kind for i in set(ids) if i in nodes}

    def existing(self, entity: Entity, ids: Iterable[str]) -> set[str]:
        table = {"requirement": self.requirements, "audit": self.audits, "finding": self.findings}
        return {i for i in ids if i in table[entity]}

    def sourcing_pairs(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        return {p for p in pairs if self.sourcing.has_edge(*p)}

    def counts(self) -> dict[str, int]:
        kinds = [data["org"].kind for _, data in self.sourcing.nodes(data=True)]
        return {
            "members": kinds.count(Kind.MEMBER),
            "suppliers": kinds.count(Kind.SUPPLIER),
            "smallholders": kinds.count(Kind.SMALLHOLDER),
            "requirements": len(self.requirements),
            "audits": len(self.audits),
            "findings": len(self.findings),
            "requires": len(self.edges["requires"]),
            "sourcing": self.sourcing.number_of_edges(),
            "pass_on": len(self.edges["pass_on"]),
            "adoptions": len(self.edges["adoptions"]),
            "shares": len(self.edges["shares"]),
            "recognitions": len(self.edges["recognitions"]),
        }

    def export(self) -> GraphBatch:
        g = self.sourcing
        batch = GraphBatch(
            organisations=[data["org"] for _, data in g.nodes(data=True)],
            requirements=list(self.requirements.values()),
            sourcing=[row for _, _, row in g.edges(data="row")],
            audits=list(self.audits.values()),
            findings=list(self.findings.values()),
            **{name: list(rows.values()) for name, rows in self.edges.items()},
        )
        return sorted_batch(batch)

    # ---- the tier walk and what the cascade reads -----------------------
    def _edges(self, ids: Iterable[str], out: bool) -> tuple[list[str], list[str], list[str]]:
        g = self.sourcing
        adjacency = g.succ if out else g.pred
        a: list[str] = []
        b: list[str] = []
        kinds: list[str] = []
        for node in ids:
            for other in adjacency.get(node, {}):
                a.append(node)
                b.append(other)
                kinds.append(g.nodes[other]["org"].kind.value)
        return a, b, kinds

    def node_refs(self, ids: Iterable[str]) -> dict[str, Any]:
        return {i: i for i in ids if i in self.sourcing}  # ids are their own handles here

    def external_ids(self, refs: Iterable[Any]) -> dict[Any, str]:
        return {r: r for r in refs if r in self.sourcing}

    def sourcing_out(self, ids: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
        return self._edges(ids, out=True)

    def sourcing_in(self, ids: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
        return self._edges(ids, out=False)

    def members(self) -> list[str]:
        nodes = self.sourcing.nodes
        return sorted(n for n in nodes if nodes[n]["org"].kind == Kind.MEMBER)

    def requirements_of(self, member: str) -> list[str]:
        return sorted(r for m, r in self.edges["requires"] if m == member)

    def pass_on_pairs(self, requirements: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
        wanted = set(requirements)
        rows = [(r, b, s) for b, s, r in self.edges["pass_on"] if r in wanted]
        return [r for r, _, _ in rows], [b for _, b, _ in rows], [s for _, _, s in rows]

    def adopters(self, requirement: str) -> list[str]:
        return [o for o, r in self.edges["adoptions"] if r == requirement]

    def audit_facts(self, ids: Iterable[str] | None = None) -> list[AuditFacts]:
        wanted = None if ids is None else set(ids)
        shared: dict[str, set[str]] = defaultdict(set)
        for audit_id, member in self.edges["shares"]:
            shared[audit_id].add(member)
        open_findings: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings.values():
            if f.status == FindingStatus.OPEN:
                open_findings[f.audit].append(f)
        facts = []
        for a in self.audits.values():
            if wanted is not None and a.organisation not in wanted:
                continue
            found = open_findings[a.id]
            dues = [f.due_date for f in found if f.due_date is not None]
            facts.append(
                AuditFacts(
                    a.id,
                    a.organisation,
                    a.scheme,
                    a.audit_date,
                    a.valid_until,
                    a.commissioned_by,
                    a.shared_with_all,
                    frozenset(shared[a.id]),
                    any(f.severity == Severity.CRITICAL for f in found),
                    min(dues, default=None),
                )
            )
        return sorted(facts, key=lambda f: f.id)

    def recognised_schemes(self, member: str) -> set[str]:
        return {scheme for m, scheme in self.edges["recognitions"] if m == member}

    # ---- computed results ----------------------------------------------
    def save_results(self, results: list[StoredResult]) -> None:
        stored = self.extra.setdefault("results", {})
        stored.update(
            (r.id, {f.name: getattr(r, f.name) for f in dataclasses.fields(r)}) for r in results
        )  # shallow: asdict would deep-copy every payload
        self.save()

    def results(self, kind: str, member: str, key: str, limit: int = 10) -> list[StoredResult]:
        found = [
            StoredResult(**r)
            for r in self.extra.get("results", {}).values()
            if (r["kind"], r["member"], r["key"]) == (kind, member, key)
        ]
        found.sort(key=lambda r: (r.computed_at, r.id), reverse=True)
        return found[:limit]

    def close(self) -> None:
        pass
