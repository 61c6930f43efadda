"""The embedded store as it was before SQLite: the whole graph in memory (networkx),
saved to one JSON file after every write. Kept only as bench/embedded.py's baseline
(and as the format graph/upgrade.py converts)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from graph.codec import batch_from_dict, batch_to_dict, sorted_batch
from graph.model import (
    FindingStatus,
    GraphBatch,
    Kind,
    Organisation,
    Severity,
)
from graph.store import (
    CHANGE_ROWS,
    CHANGES_KEPT,
    KIND_ORDER,
    Entity,
    GraphChange,
    StoredResult,
    UnknownReference,
)

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
        self.version = 0  # the graph version: one more with every write
        # The latest writes of this process (not saved: a projection lives in one process).
        self.changes: list[GraphChange] = []
        if self.path and self.path.exists():
            self._load()

    # ---- persistence -------------------------------------------------
    def _load(self) -> None:
        assert self.path is not None
        data = json.loads(self.path.read_text(encoding="utf-8"))
        self.extra = data.get("extra", {})
        self.version = data.get("version", 0)
        self._apply(batch_from_dict(data["graph"]))

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": FORMAT_VERSION,
            "version": self.version,
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
        self._changed(batch if len(batch) <= CHANGE_ROWS else None)
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
            unlinked = () if g.has_edge(buyer, seller) else ((buyer, seller),)
            self._changed(GraphBatch(), unlinked)
            self.save()
        return removed

    def _changed(self, batch: GraphBatch | None, unlinked: tuple = ()) -> None:
        """A new graph version, and the change that made it (None: not kept)."""
        self.version += 1
        if batch is None:
            self.changes.clear()
        else:
            self.changes = self.changes[-(CHANGES_KEPT - 1) :]
            self.changes.append(GraphChange(str(self.version), batch, unlinked))

    def changes_since(self, version: str) -> list[GraphChange] | None:
        if not version.isdigit():
            return None
        since = [c for c in self.changes if int(c.version) > int(version)]
        if [int(c.version) for c in since] != list(range(int(version) + 1, self.version + 1)):
            return None
        return since

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

    def ping(self) -> None:
        return None  # in this process: always there

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

    # ---- what the cascade reads --------------------------------------
    # Handles are positions: of organisations in the graph's node order, of
    # audits in their table's order (both stay put until the next write).
    # Each read numbers them afresh: slower than Neo4j's ids, fine at this size.
    def graph_version(self) -> str:
        return str(self.version)

    def held_still(self) -> contextlib.nullcontext[None]:
        return contextlib.nullcontext()  # one process, one thread: nothing writes meanwhile

    def database_id(self) -> str:
        """Made once and kept in the store file's `extra` (saved at once when the
        store has a file, so a reopening finds it)."""
        if "database_id" not in self.extra:
            self.extra["database_id"] = uuid.uuid4().hex
            self.save()
        return str(self.extra["database_id"])

    def _handles(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.sourcing)}

    def organisation_columns(self) -> tuple[list[int], list[str], list[int]]:
        ids = list(self.sourcing)
        nodes = self.sourcing.nodes
        kinds = [KIND_ORDER.index(nodes[n]["org"].kind) for n in ids]
        return list(range(len(ids))), ids, kinds

    def sourcing_columns(self) -> tuple[list[int], list[int]]:
        at = self._handles()
        edges = list(self.sourcing.edges(keys=False))
        return [at[b] for b, _ in edges], [at[s] for _, s in edges]

    def pass_on_columns(self) -> dict[str, tuple[list[int], list[int]]]:
        at = self._handles()
        out: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for buyer, seller, requirement in self.edges["pass_on"]:
            out[requirement][0].append(at[buyer])
            out[requirement][1].append(at[seller])
        return dict(out)

    def adoption_columns(self) -> dict[str, list[int]]:
        at = self._handles()
        out: dict[str, list[int]] = defaultdict(list)
        for organisation, requirement in self.edges["adoptions"]:
            out[requirement].append(at[organisation])
        return dict(out)

    def _audit_handles(self) -> dict[str, int]:
        return {a: i for i, a in enumerate(self.audits)}

    def audit_columns(self) -> dict[str, list[Any]]:
        at = self._handles()
        audits = list(self.audits.values())
        return {
            "handle": list(range(len(audits))),
            "id": [a.id for a in audits],
            "organisation": [at[a.organisation] for a in audits],
            "scheme": [a.scheme for a in audits],
            "audit_date": [a.audit_date.isoformat() for a in audits],
            "valid_until": [a.valid_until.isoformat() for a in audits],
            "commissioned_by": [a.commissioned_by for a in audits],
            "shared_with_all": [bool(a.shared_with_all) for a in audits],
        }

    def share_columns(self) -> tuple[list[int], list[str]]:
        at = self._audit_handles()
        shares = list(self.edges["shares"])
        return [at[a] for a, _ in shares], [m for _, m in shares]

    def open_finding_columns(self) -> tuple[list[str], list[int], list[bool], list[str | None]]:
        at = self._audit_handles()
        found = [f for f in self.findings.values() if f.status == FindingStatus.OPEN]
        return (
            [f.id for f in found],
            [at[f.audit] for f in found],
            [f.severity == Severity.CRITICAL for f in found],
            [f.due_date.isoformat() if f.due_date else None for f in found],
        )

    # ---- walking up from changed nodes ---------------------------------
    def node_refs(self, ids: Iterable[str]) -> dict[str, Any]:
        at = self._handles()
        return {i: at[i] for i in ids if i in at}

    def external_ids(self, refs: Iterable[Any]) -> dict[Any, str]:
        nodes = list(self.sourcing)
        return {r: nodes[r] for r in refs if 0 <= r < len(nodes)}

    def sourcing_in(self, refs: Iterable[Any]) -> tuple[list[Any], list[Any], list[str]]:
        g, at, nodes = self.sourcing, self._handles(), list(self.sourcing)
        a: list[int] = []
        b: list[int] = []
        kinds: list[str] = []
        for ref in refs:
            for other in g.pred[nodes[ref]]:
                a.append(ref)
                b.append(at[other])
                kinds.append(g.nodes[other]["org"].kind.value)
        return a, b, kinds

    def members(self) -> list[str]:
        nodes = self.sourcing.nodes
        return sorted(n for n in nodes if nodes[n]["org"].kind == Kind.MEMBER)

    def requirements_of(self, member: str) -> list[str]:
        return sorted(r for m, r in self.edges["requires"] if m == member)

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
