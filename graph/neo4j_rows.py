"""Every organisation's and audit's row, and the edges a mutation's checks read
(graph.neo4j_edge_rows), copied once into the process and carried through the kept
changes: what the API's read-only requests and mutations' plans read on Neo4j
instead of a Bolt round trip per organisation, page of labels, audit or check.

Read whole once (columns in one read transaction, chunks of CHUNK rows in id
order), then kept at a graph version. A request that saw a newer version brings
the copy up to it through the store's kept changes (`changes_since`, as the
cascade's projection does): a write upserts whole rows (`SET o += row`, every
field, nulls removing), so a change's rows are the stored rows after it and a
new version costs O(rows changed). Only where the chain cannot be followed (a
bulk write or a wipe keeps no change) is everything read again.

The copy answers for a version V when it is at V, or when it was synchronised
after the request began (it then holds every write committed before the request
began: docs/api.md's promise; rows are only ever upserted, so a node of the
request's view has its row). Rows are tuples of plain values (strings, floats,
dates, None): the garbage collector stops walking such tuples, unlike 200,000
dataclass instances. Authorisation stays in the service layer: it asks only for
ids of the principal's view, and the copy answers only those.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date
from typing import Any

from neo4j import Driver, ManagedTransaction

from graph import cypher, read_scope, whole_builds
from graph.model import Audit, Kind, Organisation
from graph.neo4j_edge_rows import EdgeAnswers, EdgeRow, read_edges, take
from graph.store import GraphChange

CHUNK = 50_000  # rows per read: a bounded list in Neo4j's heap, whatever the size
ORGANISATION_FIELDS = tuple(f.name for f in fields(Organisation))
AUDIT_FIELDS = tuple(f.name for f in fields(Audit))
_ORG_PROPS = [f for f in ORGANISATION_FIELDS if f not in ("id", "kind", "listed")]

# Field names come from the dataclasses above (never from input). Lists of lists,
# not one collect() per field: collect() drops nulls, which would misalign columns.
ORGANISATION_ROWS = (
    "MATCH (o:Organisation) WHERE o.id > $after\n"
    "WITH o ORDER BY o.id LIMIT $limit\n"
    "RETURN collect([o.id, CASE WHEN o:Member THEN 'member' WHEN o:Supplier THEN 'supplier' "
    "ELSE 'smallholder' END, "
    + ", ".join(f"o.{f}" for f in _ORG_PROPS)
    + ", coalesce(o.listed, false)]) AS rows"
)
# An audit covering nothing (never written so) is not a row, as in cypher.AUDITS.
AUDIT_ROWS = """
MATCH (a:Audit) WHERE a.id > $after
WITH a ORDER BY a.id LIMIT $limit
OPTIONAL MATCH (a)-[:COVERS]->(o:Organisation)
RETURN collect([a.id, o.id, a.scheme, toString(a.audit_date), toString(a.valid_until),
                a.commissioned_by, a.rating, a.auditor, coalesce(a.shared_with_all, false)])
       AS rows
"""

# The changes after a version (cypher.CHANGES_AFTER) and, in the same read, the kept
# match choices of the keys a mutation's pin said it will ask (graph.read_scope.Pin):
# a registration's choices without a round trip of their own; and the record of the
# request's API key when it is still to be read (graph.key_ahead). One statement per
# combination, sent only the parameters it uses: the combined statement sent an empty
# `$of` beside a `$key` (every passOn's read) cost Neo4j 5.26 2.0-4.0 ms of CPU a call
# against 0.5 with a list of one (planned anew each time, it seems; measured on 2 cores,
# 2026-12-03, bench/README.md "API write mix: one statement per catch-up read").
_RETURNED = "RETURN current AS token, seq, database, chain"
_VERDICTS_PART = (
    "CALL () {\n"
    "  UNWIND $of AS wanted MATCH (m:MatchVerdict {of: wanted}) WHERE m.stored_id IS NOT NULL\n"
    "  RETURN collect([m.of, m.stored_id, m.same]) AS verdicts\n"
    "}\n"
)
_KEY_PART = "CALL () {\n  OPTIONAL MATCH (k:ApiKey {id: $key})\n  RETURN k {.*} AS key\n}\n"


def _changes_and(verdicts: bool, key: bool) -> str:
    parts = (_VERDICTS_PART if verdicts else "") + (_KEY_PART if key else "")
    returned = _RETURNED + (", verdicts" if verdicts else "") + (", key" if key else "")
    return cypher.CHANGES_AFTER.replace(_RETURNED, parts + returned)


# (with match choices, with the key) -> the statement
CHANGES_AND = {(v, k): _changes_and(v, k) for v in (False, True) for k in (False, True)}
assert CHANGES_AND[(False, False)] == cypher.CHANGES_AFTER
assert len(set(CHANGES_AND.values())) == 4, "cypher.CHANGES_AFTER's RETURN changed"


def changes_read(version: str, of: list[str], key: str | None) -> tuple[str, dict[str, Any]]:
    """The statement and parameters reading the changes after `version`, with the match
    choices of the keys `of` and the API key `key` when there are any (see above)."""
    params: dict[str, Any] = {"version": version}
    if of:
        params["of"] = of
    if key is not None:
        params["key"] = key
    return CHANGES_AND[(bool(of), key is not None)], params


OrgRow = tuple[Any, ...]  # ORGANISATION_FIELDS' values, kind as its string
AuditRow = tuple[Any, ...]  # AUDIT_FIELDS' values, dates as dates


def _org_row(o: Organisation) -> OrgRow:
    return (o.id, o.kind.value, *(getattr(o, f) for f in _ORG_PROPS), bool(o.listed))


def _audit_row(a: Audit) -> AuditRow:
    return (
        a.id,
        a.organisation,
        a.scheme,
        a.audit_date,
        a.valid_until,
        a.commissioned_by,
        a.rating,
        a.auditor,
        bool(a.shared_with_all),
    )


def organisation(row: OrgRow) -> Organisation:
    return Organisation(row[0], Kind(row[1]), *row[2:])


def audit(row: AuditRow) -> Audit:
    return Audit(*row)


def _read_all(tx: ManagedTransaction, query: str, convert: Callable[[list], Any]) -> dict:
    rows: dict[str, Any] = {}
    after = ""
    while True:
        found = tx.run(query, after=after, limit=CHUNK).single(strict=True)["rows"]
        for values in found:
            row = convert(values)
            if row is not None:
                rows[values[0]] = row
        if len(found) < CHUNK:
            return rows
        after = found[-1][0]


def _org_values(values: list) -> OrgRow:
    # One string object per kind and country, not one per row (about 20 MB at 200,000).
    values[1], values[3] = sys.intern(values[1]), sys.intern(values[3] or "") or values[3]
    return tuple(values)


def _audit_values(values: list) -> AuditRow | None:
    if values[1] is None:
        return None
    values[3], values[4] = date.fromisoformat(values[3]), date.fromisoformat(values[4])
    return tuple(values)


class RowCopy(EdgeAnswers):
    """One store's rows at one graph version (see the module)."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.synced = float("-inf")  # monotonic time before the version was read
        self.organisations: dict[str, OrgRow] = {}
        self.audits: dict[str, AuditRow] = {}
        self.edges: dict[str, EdgeRow] = {}
        self.builds = 0  # whole reads (tests and benches check it stays put)
        self._lock = threading.Lock()

    def answers(self, at: str, began: float) -> bool:
        return self.version == at or self.synced >= began

    def bring_to(self, store: Any, at: str, began: float) -> None:
        """Make the copy answer for version `at` seen by a request begun at `began`:
        the changes this store has already read (no round trip), else those it
        reads now, else a whole read."""
        if self.answers(at, began):
            return
        with self._locked():
            if self.answers(at, began):
                return
            if self.version is not None:
                kept = store.changes_read(self.version, at)
                if kept is not None:
                    self._take(kept)
                    self.version = at
                    return
            self._read_up(store)

    def bring_past(self, store: Any, began: float) -> None:
        """Make the copy hold every write committed before `began` (a mutation's
        plan, graph.read_scope.pinned): synchronised after it, or one read of the
        changes since its version now."""
        if self.synced >= began:
            return
        with self._locked():
            if self.synced < began:
                self._read_up(store)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        if not self._lock.acquire(blocking=read_scope.may_wait()):
            raise read_scope.WouldWait  # another thread reads: a worker thread waits
        try:
            yield
        finally:
            self._lock.release()

    def _read_up(self, store: Any) -> None:
        """The changes since the copy's version, read now (one round trip), else
        everything read again."""
        if self.version is not None:
            started = time.monotonic()
            changes = store.changes_after(self.version)
            if changes is not None:
                self._take(changes)
                if changes:
                    self.version = changes[-1].version
                self.synced = started
                return
        self._build(store)

    def _take(self, changes: list[GraphChange]) -> None:
        """The rows the changes wrote, each set once to its last state (a concurrent
        reader never sees a row go back to an older state)."""
        orgs = {o.id: _org_row(o) for c in changes for o in c.batch.organisations}
        audits = {a.id: _audit_row(a) for c in changes for a in c.batch.audits}
        self.organisations.update(orgs)
        self.audits.update(audits)
        take(self.edges, changes)

    def _build(self, store: Any) -> None:
        """Everything read again: the version first, then the rows (rows newer than
        the version are fine: replaying a later change sets whole rows again)."""
        reason = "first" if self.version is None else "changes not kept"
        with whole_builds.timed("row copy", reason):
            started = time.monotonic()
            version = store.graph_version()
            self.organisations, self.audits, self.edges = read_rows(store.driver, store.database)
            self.version, self.synced = version, started
            self.builds += 1

    def kinds(self, ids: Iterable[str]) -> dict[str, Kind]:
        kept = self.organisations
        return {i: Kind(r[1]) for i in set(ids) if (r := kept.get(i)) is not None}

    # ---- answers, sorted by id (as the Bolt reads order them) --------------
    def organisation_rows(self, ids: Iterable[str]) -> list[Organisation]:
        kept = self.organisations
        return [organisation(r) for i in sorted(set(ids)) if (r := kept.get(i)) is not None]

    def label_rows(self, ids: Iterable[str]) -> list[tuple[str, str, str]]:
        kept = self.organisations
        return [(r[0], r[2], r[3]) for i in sorted(set(ids)) if (r := kept.get(i)) is not None]

    def countries(self, ids: Iterable[str]) -> dict[str, str]:
        kept = self.organisations
        return {i: r[3] for i in set(ids) if (r := kept.get(i)) is not None}

    def audit_rows(self, ids: Iterable[str]) -> list[Audit]:
        kept = self.audits
        return [audit(r) for i in sorted(set(ids)) if (r := kept.get(i)) is not None]


def read_rows(driver: Driver, database: str | None) -> tuple[dict, dict, dict]:
    """(organisation rows, audit rows, edge rows) by organisation or audit id, as
    stored now (one read transaction)."""

    def read(tx: ManagedTransaction) -> tuple[dict, dict, dict]:
        return (
            _read_all(tx, ORGANISATION_ROWS, _org_values),
            _read_all(tx, AUDIT_ROWS, _audit_values),
            read_edges(lambda query: tx.run(query).single(strict=True)),
        )

    with driver.session(database=database, default_access_mode="READ") as session:
        return session.execute_read(read)
