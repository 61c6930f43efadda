"""Large writes to Neo4j: the load path for batches too big for one transaction.

Measured on 2 cores (bench/load.py): one MERGE-everything transaction of a
200k-node network ran for over ten minutes, batched MERGE by external id gave
~18k rows/s. What this does instead:
- every reference, and that no identifier goes to a second organisation, is
  checked before anything is written, so the batches that follow cannot fail
  on bad input (only on the database going away, and then loading again
  completes the work: every step is an upsert);
- nodes new to the store are CREATEd, two transactions at a time, and the
  element ids they return address their edges (no index seek per edge end);
- an edge with a new end cannot exist yet, so it is CREATEd too, and edges
  that share no node are written by two transactions at a time (Neo4j may still
  report a deadlock on relationship-chain records; the managed transaction retries);
- only rows about nodes that were already stored go through MERGE.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from graph import cypher
from graph.model import GraphBatch, Kind
from graph.store import UnknownReference

CHUNK = 10_000
THREADS = 2


@dataclass(frozen=True)
class EdgeSpec:
    """How one kind of row becomes one relationship between two addressed nodes."""

    type: str  # relationship type (a code constant, never input)
    start: tuple[str, str]  # (row field, entity) of the start node
    end: tuple[str, str]
    props: tuple[str, ...]
    key: tuple[str, ...]  # the row fields that identify the edge

    def create_query(self) -> str:
        props = ", ".join(f"{p}: ${p}[i]" for p in self.props)
        return f"""
        UNWIND range(0, size($a) - 1) AS i
        MATCH (a) WHERE elementId(a) = $a[i]
        MATCH (b) WHERE elementId(b) = $b[i]
        CREATE (a)-[:{self.type} {{{props}}}]->(b)
        """


EDGES = {
    "requires": EdgeSpec(
        "REQUIRES",
        ("member", "organisation"),
        ("requirement", "requirement"),
        (),
        ("member", "requirement"),
    ),
    "sourcing": EdgeSpec(
        "SOURCES_FROM",
        ("buyer", "organisation"),
        ("seller", "organisation"),
        ("commodity", "since", "registered_by"),
        ("buyer", "seller", "commodity"),
    ),
    "pass_on": EdgeSpec(
        "PASSED_ON",
        ("buyer", "organisation"),
        ("seller", "organisation"),
        ("requirement", "at"),
        ("buyer", "seller", "requirement"),
    ),
    "adoptions": EdgeSpec(
        "ADOPTED",
        ("organisation", "organisation"),
        ("requirement", "requirement"),
        ("at", "evidence"),
        ("organisation", "requirement"),
    ),
    "shares": EdgeSpec(
        "SHARED_WITH", ("audit", "audit"), ("member", "organisation"), (), ("audit", "member")
    ),
    "covers": EdgeSpec("COVERS", ("id", "audit"), ("organisation", "organisation"), (), ("id",)),
    "has_finding": EdgeSpec("HAS_FINDING", ("audit", "audit"), ("id", "finding"), (), ("id",)),
}

NODE_FIELDS = {
    "organisation": (
        "id",
        "name",
        "country",
        "lei",
        "duns",
        "gln",
        "os_id",
        "mill_id",
        "abbreviation",
        "lat",
        "lon",
        "listed",
    ),
    "requirement": ("id", "title", "version", "frameworks"),
    "audit": (
        "id",
        "scheme",
        "audit_date",
        "valid_until",
        "commissioned_by",
        "rating",
        "auditor",
        "shared_with_all",
    ),
    "finding": ("id", "severity", "status", "category", "due_date"),
}
NODE_LABELS = {"requirement": "Requirement", "audit": "Audit", "finding": "Finding"}


def _columns(rows: list[Any], fields: tuple[str, ...]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for f in fields:
        values = [getattr(r, f) for r in rows]
        if values and hasattr(values[0], "value"):  # enums go as their text
            values = [v.value for v in values]
        elif f == "frameworks":
            values = [list(v) for v in values]
        out[f] = values
    return out


def _chunks(rows: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _last_per_key(rows: list[Any], key: tuple[str, ...]) -> list[Any]:
    """A later row with the same key replaces the earlier (as MERGE would)."""
    return list({tuple(getattr(r, k) for k in key): r for r in rows}.values())


class BulkWriter:
    def __init__(self, store: Any, batch: GraphBatch, progress: Callable[[int], None] | None):
        self.store, self.batch, self.progress = store, batch, progress
        self.eid: dict[str, dict[str, str]] = defaultdict(dict)  # entity -> id -> elementId
        self.new: dict[str, set[str]] = defaultdict(set)  # entity -> ids created by this write

    # ---- plumbing ----------------------------------------------------
    def _run(self, query: str, **params: Any) -> Any:
        records, _, _ = self.store.driver.execute_query(
            query, params, database_=self.store.database
        )
        return records[0] if records else None

    def _done(self, n: int) -> None:
        if self.progress:
            self.progress(n)

    def _parallel(self, fn: Callable[[list[Any]], Any], chunks: list[list[Any]]) -> list[Any]:
        if len(chunks) <= 1:
            return [fn(c) for c in chunks]
        with ThreadPoolExecutor(THREADS) as pool:
            return list(pool.map(fn, chunks))

    # ---- the write -------------------------------------------------------
    def run(self) -> None:
        self._check_references()
        moves = self.store.identifier_moves(self.batch)  # IdentifierTaken: nothing written
        if moves:
            self.store.release_identifiers(moves)
        b = self.batch
        self._nodes("organisation", b.organisations)
        self._nodes("requirement", b.requirements)
        self._nodes("audit", b.audits)
        self._nodes("finding", b.findings)
        for field in ("requires", "sourcing", "pass_on", "adoptions", "shares"):
            self._edges(field, getattr(b, field))
        self._edges("covers", _rows_of(b, "covers"), skip_existing=True)
        self._edges("has_finding", _rows_of(b, "has_finding"), skip_existing=True)
        if b.recognitions:  # a handful of rows: the plain statement
            self.store.write_rows("recognitions", b.recognitions)
            self._done(len(b.recognitions))

    def _check_references(self) -> None:
        b = self.batch
        wanted: dict[str, set[str]] = defaultdict(set)
        for field, spec in EDGES.items():
            rows = _rows_of(b, field)
            for end_field, entity in (spec.start, spec.end):
                wanted[entity].update(getattr(r, end_field) for r in rows)
        wanted["organisation"].update(a.commissioned_by for a in b.audits)
        wanted["organisation"].update(r.member for r in b.recognitions)
        loaded = {
            "organisation": {o.id for o in b.organisations},
            "requirement": {r.id for r in b.requirements},
            "audit": {a.id for a in b.audits},
            "finding": {f.id for f in b.findings},
        }
        for entity in ("organisation", "requirement", "audit"):
            outside = sorted(wanted[entity] - loaded[entity])
            if not outside:
                continue
            query = (
                cypher.UNKNOWN_ORGANISATIONS
                if entity == "organisation"
                else cypher.unknown_entities(entity)
            )
            missing = self._run(query, ids=outside)["missing"]
            if missing:
                raise UnknownReference(entity, missing)
            self._address(entity, outside)

    def _address(self, entity: str, ids: list[str]) -> None:
        """Element ids of stored nodes."""
        label = "Organisation" if entity == "organisation" else NODE_LABELS[entity]
        for chunk in _chunks(ids, 50_000):
            rec = self._run(
                f"""
                UNWIND $ids AS id MATCH (n:{label} {{id: id}})
                RETURN collect(id) AS ids, collect(elementId(n)) AS eids""",
                ids=chunk,
            )
            self.eid[entity].update(zip(rec["ids"], rec["eids"], strict=True))

    def _nodes(self, entity: str, rows: list[Any]) -> None:
        if not rows:
            return
        rows = _last_per_key(rows, ("id",))
        self._address(entity, [r.id for r in rows])
        stored = self.eid[entity]
        fresh = [r for r in rows if r.id not in stored]
        old = [r for r in rows if r.id in stored]
        groups: list[tuple[str, list[Any]]]
        if entity == "organisation":
            groups = [(kind.label, [r for r in fresh if r.kind == kind]) for kind in Kind]
        else:
            groups = [(NODE_LABELS[entity], fresh)]
        for label, group in groups:
            extra = ":Organisation" if entity == "organisation" else ""
            props = ", ".join(f"{f}: ${f}[i]" for f in NODE_FIELDS[entity])
            query = f"""
            UNWIND range(0, size($id) - 1) AS i
            CREATE (n{extra}:{label} {{{props}}})
            RETURN collect(elementId(n)) AS eids"""

            def create(chunk: list[Any], query: str = query) -> list[str]:
                eids = self._run(query, **_columns(chunk, NODE_FIELDS[entity]))["eids"]
                self._done(len(chunk))
                return eids

            chunks = list(_chunks(group))
            for chunk, eids in zip(chunks, self._parallel(create, chunks), strict=True):
                stored.update(zip((r.id for r in chunk), eids, strict=True))
                self.new[entity].update(r.id for r in chunk)
        if old:  # already stored: the single-transaction statements, batch by batch
            field = {
                "organisation": "organisations",
                "requirement": "requirements",
                "audit": "audits",
                "finding": "findings",
            }[entity]
            self.store.write_rows(field, old)
            self._done(len(old))

    def _edges(self, field: str, rows: list[Any], skip_existing: bool = False) -> None:
        if not rows:
            return
        spec = EDGES[field]
        rows = _last_per_key(rows, spec.key)
        (sf, se), (ef, ee) = spec.start, spec.end
        new_starts, new_ends = self.new[se], self.new[ee]
        fresh: list[Any] = []
        old: list[Any] = []
        for r in rows:
            (fresh if getattr(r, sf) in new_starts or getattr(r, ef) in new_ends else old).append(r)
        self._create_edges(spec, fresh)
        if old and not skip_existing:  # both ends were stored: MERGE
            self.store.write_rows(field, old)
            self._done(len(old))

    def _create_edges(self, spec: EdgeSpec, rows: list[Any]) -> None:
        """CREATE edges with a new end, two node-disjoint transactions at a time."""
        if not rows:
            return
        (sf, se), (ef, ee) = spec.start, spec.end
        query = spec.create_query()

        def create(chunk: list[Any]) -> None:
            if not chunk:
                return
            self._run(
                query,
                a=[self.eid[se][getattr(r, sf)] for r in chunk],
                b=[self.eid[ee][getattr(r, ef)] for r in chunk],
                **_columns(chunk, spec.props),
            )
            self._done(len(chunk))

        ends = [((se, getattr(r, sf)), (ee, getattr(r, ef))) for r in rows]
        with ThreadPoolExecutor(THREADS) as pool:
            for pair in disjoint_rounds(rows, ends):
                list(pool.map(create, pair))


def _rows_of(batch: GraphBatch, field: str) -> list[Any]:
    """The rows behind each kind of edge: COVERS and HAS_FINDING come with their nodes."""
    if field == "covers":
        return batch.audits
    if field == "has_finding":
        return batch.findings
    rows: list[Any] = getattr(batch, field)
    return rows


def disjoint_rounds(
    rows: list[Any], ends: list[tuple[Any, Any]], size: int = CHUNK
) -> Iterator[tuple[list[Any], list[Any]]]:
    """Rounds of two chunks that share no node, so the two transactions of a round
    rarely wait on each other (relationship-chain locks still can; retried). A row whose ends
    already belong to the two different chunks of a round waits for a later round."""
    pending = list(range(len(rows)))
    while pending:
        owner: dict[Any, int] = {}
        chunks: tuple[list[Any], list[Any]] = ([], [])
        deferred: list[int] = []
        for n, i in enumerate(pending):
            if len(chunks[0]) >= size and len(chunks[1]) >= size:
                deferred.extend(pending[n:])
                break
            u, v = ends[i]
            a, b = owner.get(u), owner.get(v)
            if a is not None and b is not None and a != b:
                deferred.append(i)
                continue
            side = a if a is not None else b
            if side is None:
                side = 0 if len(chunks[0]) <= len(chunks[1]) else 1
            if len(chunks[side]) >= size:
                deferred.append(i)
                continue
            owner[u] = owner[v] = side
            chunks[side].append(rows[i])
        yield chunks
        pending = deferred
