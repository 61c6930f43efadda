"""The Neo4j adapter of the store port.

Every write is one managed transaction (retried on transient errors) made of
batched `UNWIND $rows` statements; a row whose reference does not resolve
rolls the whole transaction back.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date
from typing import Any

import orjson
from neo4j import Driver, GraphDatabase, ManagedTransaction, Transaction
from neo4j.exceptions import (
    ClientError,
    ConstraintError,
    DatabaseError,
    DriverError,
    Neo4jError,
    TransientError,
)
from neo4j.time import Date

from graph import cypher, key_ahead, neo4j_risk, read_scope, whole_builds
from graph.codec import ROW_TYPES, batch_from_dict, batch_to_dict, row_from_dict, sorted_batch
from graph.identifiers import claims, last_rows, released, shared_error
from graph.model import (
    BATCH_FIELDS,
    IDENTIFIER_FIELDS,
    ActionStatus,
    ActionStep,
    Adoption,
    Audit,
    CorrectiveAction,
    Finding,
    GraphBatch,
    Kind,
    Organisation,
    PassOn,
    Requirement,
    Sourcing,
    StepKind,
)
from graph.neo4j_bulk import BulkWriter
from graph.neo4j_load_checks import stored_rows as stored_rows_of
from graph.neo4j_rows import RowCopy, changes_read
from graph.neo4j_sessions import ThreadSessions
from graph.store import (
    CHANGE_ROWS,
    CHANGES_KEPT,
    COUNT_KEYS,
    Entity,
    GraphChange,
    KeyRecord,
    Mutation,
    MutationRecord,
    OpenRequestExists,
    RequestAnswered,
    RequestStatus,
    RequirementExists,
    RiskTableRecord,
    ShareRequest,
    StoredResult,
    UnknownReference,
)
from graph.version_board import KnownVersion, Link, VersionBoard, VersionRead

log = logging.getLogger(__name__)
Progress = Callable[[int], None]
READ_ATTEMPTS = 3  # a read query's tries when Neo4j answers with a transient error
# A write's, when the server refused it (a TransientError: rolled back): deadlocks
# come in runs while several writers share a dense node (a supplier registering
# sub-suppliers from several clients at once, passing on the while: Neo4j's
# relationship-group locks). Three tries 50 and 100 ms apart failed one registration
# in about 120,000 of the served write mix (INTERNAL); the waits double from 50 ms,
# jittered by half, up to 0.8 s: 3-5 s in all at most, as a request can wait.
WRITE_ATTEMPTS = 8
Run = Callable[..., Any]  # (query, **params) -> the one record
ORGANISATION_FIELDS = tuple(f.name for f in fields(Organisation))
BATCH_SIZE = 10_000
SINGLE_TX_ROWS = 50_000  # beyond this a write goes the bulk path

# The changes read that a process keeps in memory for its other readers (changes_read):
# the latest 256, as when the store kept no more; a reader further behind reads the
# store's (CHANGES_KEPT, 4,096) in one round trip. Each change held is a batch of
# objects every full garbage collection walks.
CHANGES_READ_KEPT = 256


def _chunks(rows: list[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _native(value: Any) -> Any:
    return value.to_native() if isinstance(value, Date) else value


def _params(field: str, row: Any) -> dict[str, Any]:
    """A domain row as the map its Cypher statement expects (dates stay dates)."""
    data = {f: getattr(row, f) for f in row.__slots__}
    if field == "organisations":
        del data["kind"]
    elif field == "requirements":
        data["frameworks"] = list(row.frameworks)
    elif field == "audits":
        props = {k: v for k, v in data.items() if k != "organisation"}
        return {
            "id": row.id,
            "organisation": row.organisation,
            "commissioned_by": row.commissioned_by,
            "props": props,
        }
    elif field == "findings":
        props = {k: v for k, v in data.items() if k != "audit"}
        props["severity"], props["status"] = row.severity.value, row.status.value
        return {"id": row.id, "audit": row.audit, "props": props}
    return data


# field -> (statement, what its references are, how to list a row's references)
_EDGE_WRITERS: dict[str, tuple[str, Callable[[Any], list[tuple[str, str]]]]] = {
    "requires": (
        cypher.MERGE_REQUIRES,
        lambda r: [("organisation", r.member), ("requirement", r.requirement)],
    ),
    "sourcing": (
        cypher.MERGE_SOURCING,
        lambda r: [("organisation", r.buyer), ("organisation", r.seller)],
    ),
    "pass_on": (
        cypher.MERGE_PASS_ON,
        lambda r: [
            ("organisation", r.buyer),
            ("organisation", r.seller),
            ("requirement", r.requirement),
        ],
    ),
    "adoptions": (
        cypher.MERGE_ADOPTIONS,
        lambda r: [("organisation", r.organisation), ("requirement", r.requirement)],
    ),
    "audits": (
        cypher.UPSERT_AUDITS,
        lambda r: [("organisation", r.organisation), ("organisation", r.commissioned_by)],
    ),
    "findings": (cypher.UPSERT_FINDINGS, lambda r: [("audit", r.audit)]),
    "shares": (cypher.MERGE_SHARES, lambda r: [("audit", r.audit), ("organisation", r.member)]),
    "recognitions": (cypher.MERGE_RECOGNITIONS, lambda r: [("organisation", r.member)]),
}


def _pack(payload: dict[str, Any]) -> bytes:
    # A 1M network's results are ~35 MB of JSON: json.dumps took 0.55 s of a 0.86 s
    # save, and the whole save takes 0.34 s with orjson and zlib level 1.
    return zlib.compress(orjson.dumps(payload), 1)


def _unpack(blob: bytes) -> dict[str, Any]:
    return orjson.loads(zlib.decompress(blob))


def _version_read(rec: Any) -> VersionRead:
    """The version, its number and the database id a version read gave."""
    return VersionRead(str(rec["token"]), rec["seq"], rec["database"])


def _change(token: str, payload: bytes) -> GraphChange:
    """A kept change from its row: the version it made and its payload."""
    data = _unpack(payload)
    return GraphChange(
        token,
        batch_from_dict(data["batch"]),
        tuple((b, s) for b, s in data["unlinked"]),
        tuple((a, m) for a, m in data.get("unshared", ())),  # older: none
    )


def _walk(version: str, current: str, links: list[list[Any]]) -> list[tuple[str, bytes]] | None:
    """The (token, payload) of each change from `version` to `current`, in order;
    None when the links do not lead there."""
    payloads: dict[str, tuple[str, bytes]] = {}
    for previous, token, payload in links:
        if payloads.setdefault(previous, (token, payload))[0] != token:
            return None  # two changes from one version: not a chain to follow
    chain: list[tuple[str, bytes]] = []
    at = version
    while at != current and at in payloads and len(chain) < len(payloads):
        chain.append(payloads[at])
        at = chain[-1][0]
    return chain if at == current else None


def _record_change(
    tx: ManagedTransaction,
    batch: GraphBatch,
    unlinked: tuple[tuple[str, str], ...] = (),
    unshared: tuple[tuple[str, str], ...] = (),
) -> Link | None:
    """A new graph version, with the change that made it, in the write's transaction
    (a write of more than CHANGE_ROWS rows keeps none: projections rebuild); the
    change's link to announce (graph.version_board), None when none was kept."""
    if len(batch) > CHANGE_ROWS:
        tx.run(cypher.BUMP_GRAPH_VERSION).consume()
        return None
    payload = _change_payload(batch, unlinked, unshared)
    rec = tx.run(cypher.RECORD_CHANGE, payload=payload, kept=CHANGES_KEPT).single(strict=True)
    return _link(rec, payload)


def _link(rec: Any, payload: bytes | None) -> Link | None:
    """The link of the change a statement recorded (its `seq`, `previous`, `token`,
    `database`)."""
    if payload is None or rec["seq"] is None:
        return None
    return Link(rec["seq"], rec["previous"], rec["token"], payload, rec["database"])


def _change_payload(
    batch: GraphBatch,
    unlinked: tuple[tuple[str, str], ...] = (),
    unshared: tuple[tuple[str, str], ...] = (),
) -> bytes:
    return _pack(
        {
            "batch": batch_to_dict(batch),
            "unlinked": [list(p) for p in unlinked],
            "unshared": [list(p) for p in unshared],
        }
    )


def _writes_graph(mutation: Mutation) -> bool:
    r = mutation.removals
    return bool(len(mutation.batch) or r.sourcing or r.shares or r.recognitions)


def _at_once(mutation: Mutation) -> bool:
    """Whether Neo4jStore._apply_at_once can write it: rows to upsert only (nothing
    removed, no choice, request, plan or new requirement: one round trip more for a
    new id's `CREATE`), few, each kind's statement a plain row writer."""
    batch, r = mutation.batch, mutation.removals
    if mutation.verdicts or mutation.requests or mutation.actions or mutation.new_requirements:
        return False
    if r.sourcing or r.shares or r.recognitions:
        return False
    if len(batch) > CHANGE_ROWS:
        return False
    return all(
        len(rows) <= BATCH_SIZE and cypher.applies_at_once(statement)
        for field in BATCH_FIELDS
        for statement, rows, _ in _statements(field, getattr(batch, field))
        if rows
    )


def _statements(field: str, rows: list[Any]) -> list[tuple[str, list[Any], Callable | None]]:
    """The statement(s) that upsert rows of one kind, with how to list their references."""
    if field == "organisations":
        rows = list({r.id: r for r in rows}.values())  # one id twice: the later row, whole
        return [
            (cypher.upsert_organisations(k), [r for r in rows if r.kind == k], None) for k in Kind
        ]
    if field == "requirements":
        return [(cypher.UPSERT_REQUIREMENTS, rows, None)]
    if field in ("audits", "findings"):
        # One id twice: the later row, whole, as the embedded store keeps it (in one
        # statement both rows' old edges were dropped before either was merged, and
        # the audit covered both organisations).
        rows = list({r.id: r for r in rows}.values())
    statement, refs = _EDGE_WRITERS[field]
    return [(statement, rows, refs)]


def _at_once_statement(
    mutation: Mutation, scope: str | None, guard: bool = False
) -> tuple[str, dict[str, Any], list[tuple[list[Any], Callable | None]]]:
    """cypher.apply_mutation's statement for a plain mutation (_at_once), its
    parameters, and each row writer's (rows, how to list a row's references)."""
    batch = mutation.batch
    parts = [
        (field, statement, rows, refs)
        for field in BATCH_FIELDS
        for statement, rows, refs in _statements(field, getattr(batch, field))
        if rows
    ]
    params: dict[str, Any] = {
        "scope": scope,
        "record": _mutation_props(mutation.record, scope),
        "kept": CHANGES_KEPT,
        "payload": _change_payload(batch) if len(batch) else None,
    }
    for i, (field, _, rows, _) in enumerate(parts):
        params[f"rows{i}"] = [_params(field, r) for r in rows]
    checked = [i for i, (_, _, _, refs) in enumerate(parts) if refs is not None]
    query = cypher.apply_mutation(
        [statement for _, statement, _, _ in parts],
        scope is not None,
        bool(len(batch)),
        checked if guard else (),
    )
    if guard:
        params["zero"] = 0
    return query, params, [(rows, refs) for _, _, rows, refs in parts]


class _GuardedDriver:
    """The driver, each session and query checked first (graph.read_scope.check_io):
    a read-only call that would make a round trip is run in a worker thread instead."""

    def __init__(self, driver: Driver) -> None:
        self.unguarded = getattr(driver, "unguarded", driver)

    def session(self, **config: Any) -> Any:
        read_scope.check_io()
        return self.unguarded.session(**config)

    def execute_query(self, *args: Any, **kwargs: Any) -> Any:
        read_scope.check_io()
        return self.unguarded.execute_query(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unguarded, name)


class Neo4jStore:
    # Each version read is a round trip: a process's read-only requests share them
    # (graph.read_scope.SharedReads).
    shared_version_reads = True
    # Every round trip goes through _GuardedDriver: read-only calls that need none
    # run on the caller's thread (graph.read_scope.without_io).
    guards_io = True
    # A write request's key is read with its first round trip and confirmed before
    # apply writes (graph.key_ahead, api/edge.py).
    reads_keys_ahead = True

    def __init__(
        self,
        driver: Driver,
        database: str | None = None,
        single_tx_rows: int = SINGLE_TX_ROWS,
        board: VersionBoard | None = None,
        recheck_seconds: float = 1.0,
    ):
        self.driver: Any = _GuardedDriver(driver)
        self.database = database
        self.single_tx_rows = single_tx_rows
        # Writes announced in Redis (graph.version_board): a read-only request's
        # version check is a Redis GET while nothing was written.
        self.board = board
        self._known = KnownVersion(board, recheck_seconds) if board is not None else None
        self._held = threading.local()  # the transaction of held_still(), per thread
        self._lock = threading.Lock()
        # Every organisation's and audit's row, for the API's read-only requests
        # (graph.neo4j_rows): no round trip per row, page or audit.
        self.rows = RowCopy()
        # One-statement transactions run in sessions kept per thread (graph.neo4j_sessions).
        self._sessions = ThreadSessions(self.driver, database)
        # The changes changes_since read, by the version each follows (the row copy
        # takes those the projection read without a round trip of its own).
        self._changes_read: OrderedDict[str, GraphChange] = OrderedDict()

    @classmethod
    def connect(
        cls,
        uri: str,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        board: VersionBoard | None = None,
        recheck_seconds: float = 1.0,
    ) -> Neo4jStore:
        auth = (user, password or "") if user else None
        driver = GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")
        driver.verify_connectivity()
        store = cls(driver, database, board=board, recheck_seconds=recheck_seconds)
        store.ensure_schema()
        return store

    def ensure_schema(self) -> None:
        """Constraints and indexes: one read when they are all there (every connect,
        so every CLI command, pays only that), else the missing ones made in one
        transaction. Not awaited: a uniqueness constraint is in force once its
        statement commits (Neo4j builds and checks its index before), and the plain
        indexes (result_lookup, mutation_by_organisation, organisation_country) only
        speed reads up once online. Stored organisations sharing an identifier (data
        of an earlier tiergraph) stop the identifier constraints: a StoreError names
        them."""
        present = set(self._single(cypher.INDEX_NAMES)["names"])
        missing = [statement for name, statement in cypher.SCHEMA.items() if name not in present]
        if missing:
            try:
                with self._session() as session:
                    session.execute_write(lambda tx: [tx.run(s).consume() for s in missing])
            except DatabaseError as exc:
                if exc.code != "Neo.DatabaseError.Schema.ConstraintCreationFailed":
                    raise
                self._refuse_shared_identifiers(exc)

    def _refuse_shared_identifiers(self, cause: Exception) -> None:
        """An identifier constraint cannot be made: stored data holds an identifier twice."""
        shared = {
            (kind, value): ids
            for kind, query in cypher.SHARED_IDENTIFIERS.items()
            for value, ids in self._single(query)["shared"]
        }
        if not shared:
            raise cause
        where = f"Neo4j database {self.database or '(default)'}"
        fix = "MATCH (o:Organisation {id: '<id>'}) SET o.<kind> = null"
        raise shared_error(where, shared, fix) from None

    def _session(self):
        return self.driver.session(database=self.database)

    @contextmanager
    def held_still(self) -> Iterator[None]:
        # Rolled back at the end (the lock goes with it, the mark was never meant to
        # stay); not the driver's `with tx:`, which commits.
        with self._session() as session:
            tx = session.begin_transaction()
            try:
                tx.run(cypher.HOLD_GRAPH_VERSION).consume()
                self._held.tx = tx
                yield
            finally:
                self._held.tx = None
                tx.close()

    def _held_tx(self) -> Transaction | None:
        return getattr(self._held, "tx", None)

    # ---- writes ------------------------------------------------------
    def write(self, batch: GraphBatch, progress: Progress | None = None) -> None:
        """Up to `single_tx_rows` rows: one transaction. Beyond: the bulk path
        (graph.neo4j_bulk), which checks every reference first, then writes in
        batches; an interrupted bulk write is completed by writing it again."""
        if len(batch) <= self.single_tx_rows:
            try:
                with self._session() as session:
                    link = session.execute_write(self._write_all, batch, progress)
            except ConstraintError:
                # Another write took an identifier between this one's check and its
                # upsert: say which (rolled back, nothing of this write landed).
                self.identifier_moves(batch)
                raise
            self._announce(link)
            return
        # Many transactions: the version changes before (what was read before is
        # stale from the first one) and after, even when one fails (what was read
        # in between is stale too).
        self._bump_graph_version()
        try:
            BulkWriter(self, batch, progress).run()
        finally:
            self._bump_graph_version()

    def _bump_graph_version(self) -> None:
        self.driver.execute_query(cypher.BUMP_GRAPH_VERSION, database_=self.database)
        self._announce()

    def _announce(self, link: Link | None = None) -> None:
        """After a write committed, before it is answered: its link (which read-only
        requests follow from the version they hold), or, without one, a new token
        (they stop trusting the version they hold; graph.version_board)."""
        if self._known is None or self.board is None:
            return
        if link is None:
            self._known.forget()
        if not self.board.announce(link) and link is not None:
            self._known.forget()  # not announced: this process reads Neo4j next

    def current_version(self) -> str:
        """The graph version for a read-only request's check (graph.read_scope): a
        Redis GET while no write was announced, else graph_version()."""
        if self._known is None or self._held_tx() is not None:
            return self.graph_version()
        return self._known.version(self._version_and_changes, self._follow)

    def _version_and_changes(self) -> VersionRead:
        """The graph version and its number, read with the changes since the newest
        version this process read changes to, else the row copy's (one round trip
        either way): after a write, the request that reads the new version catches its
        projection and the copy up through them, without reading them again
        (changes_since inside the request's scope)."""
        since = self._newest_read() or self.rows.version
        if since is None:
            return self._numbered_version()
        found, _ = self._changes_to_current(since)
        return found if found is not None else self._numbered_version()

    def _follow(self, version: str, links: list[Link]) -> bool:
        """The changes of announced links that lead from `version` (checked by the
        board), kept as if read from Neo4j (changes_read answers with them)."""
        try:
            changes = [_change(link.token, link.payload) for link in links]
        except Exception:  # noqa: BLE001 - a link this code cannot read: Neo4j is read
            log.warning("an announced change could not be read", exc_info=True)
            return False
        self._keep_read(version, changes)
        return True

    def _newest_read(self) -> str | None:
        """The version the changes read last lead to: the changes after it are the new
        ones (those after the row copy's may be many already read and decoded)."""
        with self._lock:
            if not self._changes_read:
                return None
            return next(reversed(self._changes_read.values())).version

    def _write_all(
        self, tx: ManagedTransaction, batch: GraphBatch, progress: Progress | None
    ) -> Link | None:
        self._upsert(tx, batch, progress)
        return _record_change(tx, batch)

    def _upsert(self, tx: ManagedTransaction, batch: GraphBatch, progress: Progress | None) -> None:
        """The batch's rows, references checked (what `write` and `apply` write);
        identifiers the batch moves to another organisation released first."""
        moves = self.identifier_moves(batch, lambda q, **p: tx.run(q, p).single(strict=True))
        if moves:
            tx.run(cypher.RELEASE_IDENTIFIERS, rows=_cleared(moves)).consume()
        for field in BATCH_FIELDS:
            for statement, rows, refs in _statements(field, getattr(batch, field)):
                self._run_chunks(tx, statement, field, rows, progress, refs)

    def identifier_moves(self, batch: GraphBatch, run: Run | None = None) -> list[tuple[str, str]]:
        """IdentifierTaken when the batch would give an identifier to a second
        organisation; else the (holder, kind) it moves to another organisation, which
        must be released before the batch's organisations are written. Reads only."""
        rows = last_rows(batch.organisations)
        claimed = claims(rows)
        if not claimed:
            return []
        return released(rows, claimed, _holders(run or self._single, claimed))

    def release_identifiers(self, moves: list[tuple[str, str]]) -> None:
        """The bulk path's release, in a transaction of its own before its first write."""
        self.driver.execute_query(
            cypher.RELEASE_IDENTIFIERS, rows=_cleared(moves), database_=self.database
        )

    def write_rows(self, field: str, rows: list[Any]) -> None:
        """Upsert rows of one kind, each chunk in its own transaction (the bulk
        path, which has checked every reference before it writes)."""
        for statement, group, refs in _statements(field, rows):
            for chunk in _chunks(group):
                with self._session() as session:
                    session.execute_write(self._run_chunks, statement, field, chunk, None, refs)

    def _run_chunks(
        self,
        tx: ManagedTransaction,
        statement: str,
        field: str,
        rows: list[Any],
        progress: Progress | None,
        refs: Callable | None = None,
    ) -> None:
        for chunk in _chunks(rows):
            params = [_params(field, r) for r in chunk]
            written = tx.run(statement, rows=params).single(strict=True)["n"]
            if refs is not None and written < len(chunk):
                self._raise_unknown(tx, [ref for r in chunk for ref in refs(r)])
            if progress:
                progress(len(chunk))

    @staticmethod
    def _raise_unknown(tx: ManagedTransaction, refs: list[tuple[str, str]]) -> None:
        for what in ("organisation", "requirement", "audit"):
            ids = sorted({i for kind, i in refs if kind == what})
            query = (
                cypher.UNKNOWN_ORGANISATIONS
                if what == "organisation"
                else cypher.unknown_entities(what)
            )
            missing = tx.run(query, ids=ids).single(strict=True)["missing"]
            if missing:
                raise UnknownReference(what, missing)
        raise UnknownReference("reference", ["(a row matched nothing)"])

    def remove_sourcing(self, buyer: str, seller: str, commodity: str | None = None) -> int:
        def remove(tx: ManagedTransaction) -> tuple[int, Link | None]:
            rec = tx.run(
                cypher.REMOVE_SOURCING, buyer=buyer, seller=seller, commodity=commodity
            ).single(strict=True)
            if rec["n"]:
                link = _record_change(tx, GraphBatch(), () if rec["left"] else ((buyer, seller),))
                return rec["n"], link
            return rec["n"], None

        with self._session() as session:
            removed, link = session.execute_write(remove)
        if removed:
            self._announce(link)
        return removed

    def clear(self) -> None:
        """Remove everything: the graph, saved results, API keys, mutation records,
        match verdicts and kept changes,
        in batches of cypher.CLEAR_BATCH (a million nodes never sit in one
        transaction); the version changes before (readers stop trusting what they
        hold) and after."""
        self._bump_graph_version()
        try:
            with self._session() as session:  # CALL IN TRANSACTIONS needs auto-commit
                for statement in (cypher.CLEAR_RELATIONSHIPS, cypher.CLEAR_NODES):
                    session.run(statement).consume()
        finally:
            self._bump_graph_version()

    def changes_since(self, version: str) -> list[GraphChange] | None:
        """The changes after `version`. Inside a read-only request's scope, or a
        mutation's pin once the row copy was brought up after it, "current" is the
        version the request works at: the changes to it this process has read already
        answer without a round trip (the read that brought the request its version
        usually read them: current_version, RowCopy.bring_past). In a read-only
        request "none" is always read: its callers ask only when they are behind."""
        target, pinned = read_scope.seen(self), False
        if target is None and self._copy_pinned():
            target, pinned = self.rows.version, True
        if target is not None and self._held_tx() is None:
            kept = self.changes_read(version, target)
            # Nothing to take, in a read-only request: its caller read a version
            # newer than the request's (the projection's catch-up reads the current
            # version first, and [] makes it rebuild): read the changes to that.
            if kept or (kept is not None and pinned):
                return kept
            if pinned:
                # `version` is not on the way to the pinned copy's: what asks (a matching
                # index the keeper thread took to a newer version, or one just built) may
                # be ahead of it. The changes to the current version are read (one round
                # trip) and the copy follows to that version, so that what the mutation
                # reads from it holds every organisation it is matched against: a
                # candidate the copy lacked was left out of the answer (tests/mutations/
                # test_register_racing.py). The copy only gains writes.
                read, changes = self._changes_to_current(version)
                if read is not None and changes is not None:
                    self.rows.bring_to(self, read.version, float("inf"))
                return changes
        return self.changes_after(version)

    def changes_after(self, version: str) -> list[GraphChange] | None:
        """The changes after `version` to the current one, read now (one round trip)."""
        return self._changes_to_current(version)[1]

    def _changes_to_current(
        self, version: str
    ) -> tuple[VersionRead | None, list[GraphChange] | None]:
        # One auto-commit read (cypher.CHANGES_AFTER): the current version, then the
        # changes after `version`. The chain is followed from `version` to the current
        # one; changes committed after the version was read are left for next time.
        # Asked once more before answering None (a rebuild takes seconds). Answers the
        # current version too (None: the database was wiped outside tiergraph).
        pin = read_scope.current_pin()
        wanted = pin.ahead.get("match_verdicts", ()) if pin is not None else ()
        of = [_json_key(*key) for key in wanted]
        check = key_ahead.pending()  # a write request's key, read with this
        query, params = changes_read(version, of, check.key_id if check is not None else None)
        for _ in range(2):
            rec = self._read(query, params)
            if not rec:
                return None, None  # the database was wiped outside tiergraph
            if check is not None and check.found is None:
                found = rec[0]["key"]
                check.take(_key_record(found) if found is not None else None)
            if of and pin is not None:  # what match_verdicts will ask in this pin
                read = pin.read.setdefault("match_verdicts", {})
                read.update(
                    {k: {i: same for o, i, same in rec[0]["verdicts"] if o == k} for k in of}
                )
            token = rec[0]["token"]
            chain = _walk(version, token, rec[0]["chain"])
            if chain is not None:
                break
        if chain is None:  # a write kept no change (bulk), or `version` is gone
            links = rec[0]["chain"]
            whole_builds.log.info(
                "no kept changes lead from %s to %s: %d read, %s",
                version,
                token,
                len(links),
                "it is among them" if any(p == version for p, _, _ in links) else "not it",
            )
            return _version_read(rec[0]), None
        changes = [_change(token_after, payload) for token_after, payload in chain]
        self._keep_read(version, changes)
        return _version_read(rec[0]), changes

    def _keep_read(self, version: str, changes: list[GraphChange]) -> None:
        with self._lock:
            for change in changes:
                self._changes_read[version] = change
                self._changes_read.move_to_end(version)
                version = change.version
            while len(self._changes_read) > CHANGES_READ_KEPT:
                self._changes_read.popitem(last=False)

    def changes_read(self, version: str, to: str) -> list[GraphChange] | None:
        """The changes from `version` to `to` among those changes_since has read in
        this process (no round trip); None when they are not all there."""
        chain: list[GraphChange] = []
        with self._lock:
            while version != to:
                change = self._changes_read.get(version)
                if change is None or len(chain) >= CHANGES_READ_KEPT:
                    return None
                chain.append(change)
                version = change.version
        return chain

    # ---- reads -------------------------------------------------------
    def _single(self, query: str, **params: Any) -> Any:
        return self._records(query, **params)[0]

    def _records(self, query: str, **params: Any) -> list[Any]:
        """A read's records, in held_still()'s transaction when this thread holds one."""
        tx = self._held_tx()
        if tx is not None:
            return list(tx.run(query, params))
        return self._read(query, params)

    def _read(self, query: str, params: dict[str, Any]) -> list[Any]:
        """One read query's records in an auto-commit transaction: 1.4-1.8 ms of the
        driver's CPU against 2.4-2.9 ms through execute_query's managed one (measured
        under load 13), with the driver's bookmarks as execute_query has them (a read
        after this process's writes sees them on a cluster too)."""
        return self._auto_commit(query, params, "READ")

    def _auto_commit(self, query: str, params: dict[str, Any], mode: str) -> list[Any]:
        """One statement's records in an auto-commit transaction (`mode` READ or
        WRITE), the driver's bookmarks kept. A transient failure is retried, as a
        managed transaction would be (a read has no effect to redo; a write is one
        statement, whole or not at all)."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return self._sessions.records(query, params, mode)
            except (Neo4jError, DriverError) as exc:
                # A write the server refused (a deadlock) was rolled back: tried again
                # more often. After a lost connection it may have committed: as a read.
                again = mode == "WRITE" and isinstance(exc, TransientError)
                tries = WRITE_ATTEMPTS if again else READ_ATTEMPTS
                if attempt + 1 >= tries or not exc.is_retryable():
                    raise
                time.sleep(min(0.8, 0.05 * 2**attempt) * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable")

    # Nothing asked, no round trip: a load checks each kind of reference, most often
    # of a few kinds only.
    def kinds(self, ids: Iterable[str]) -> dict[str, Kind]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        copy = self._copy()
        if copy is not None:
            return copy.kinds(wanted)
        return {i: Kind(k) for i, k in self._single(cypher.KINDS, ids=wanted)["kinds"]}

    def existing(self, entity: Entity, ids: Iterable[str]) -> set[str]:
        wanted = sorted(set(ids))
        if not wanted:
            return set()
        return set(self._single(cypher.existing_entities(entity), ids=wanted)["found"])

    def sourcing_pairs(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        wanted = [list(p) for p in set(pairs)]
        if not wanted:
            return set()
        copy = self._copy()
        if copy is not None:
            return copy.sourcing_pairs((b, s) for b, s in wanted)
        found = self._single(cypher.SOURCING_PAIRS, pairs=wanted)["found"]
        return {(b, s) for b, s in found}

    def ping(self) -> None:
        with self._session() as session:  # auto-commit: not retried, unlike execute_query
            session.run(cypher.PING).consume()

    def counts(self) -> dict[str, int]:
        counted = self._single(cypher.COUNTS)
        return {key: counted[key] for key in COUNT_KEYS}  # in the port's order

    def export(self) -> GraphBatch:
        out: dict[str, list[Any]] = {}
        for field in BATCH_FIELDS:
            records, _, _ = self.driver.execute_query(
                cypher.EXPORT[field], database_=self.database, routing_="r"
            )
            out[field] = [self._row(field, dict(rec["row"])) for rec in records]
        return sorted_batch(GraphBatch(**out))

    def stored_rows(self, kind: str, owners: Collection[str]) -> list[Any]:
        return stored_rows_of(self._single, kind, owners)  # graph/neo4j_load_checks.py

    @staticmethod
    def _row(field: str, data: dict[str, Any]) -> Any:
        data = {k: _native(v) for k, v in data.items()}
        if field == "organisations":
            data = {k: data.get(k) for k in ORGANISATION_FIELDS}
            data["listed"] = bool(data["listed"])  # absent on nodes written before consent
        elif field == "requirements":
            data["frameworks"] = tuple(data.get("frameworks") or ())
        cls = ROW_TYPES[field]
        data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}
        return row_from_dict(cls, data)

    # ---- what the cascade reads --------------------------------------
    def graph_version(self) -> str:
        return self._numbered_version().version

    def _numbered_version(self) -> VersionRead:
        """The graph version with its number and the database id (graph.version_board)."""
        # Read by every API request: an auto-commit read costs the driver 0.6 ms of
        # Python CPU against 1.2-1.6 ms for execute_query's managed transaction.
        held = self._held_tx()
        if held is not None:
            return _version_read(held.run(cypher.GRAPH_VERSION).single(strict=True))
        records = self._sessions.records(cypher.GRAPH_VERSION, {}, "READ", bookmarks=False)
        if records:
            return _version_read(records[0])
        # A database wiped or filled outside tiergraph: give it a version now.
        return _version_read(self._single_write(cypher.ENSURE_GRAPH_VERSION))

    def database_id(self) -> str:
        records, _, _ = self.driver.execute_query(
            cypher.DATABASE_ID, database_=self.database, routing_="r"
        )
        if records and records[0]["id"]:
            return str(records[0]["id"])
        return str(self._single_write(cypher.ENSURE_DATABASE_ID)["id"])

    def _single_write(self, query: str, **params: Any) -> Any:
        records, _, _ = self.driver.execute_query(query, params, database_=self.database)
        return records[0]

    def organisation_columns(self) -> tuple[list[int], list[str], list[int]]:
        rec = self._single(cypher.ORGANISATION_COLUMNS)
        return rec["handles"], rec["ids"], rec["kinds"]

    def sourcing_columns(self) -> tuple[list[int], list[int]]:
        rec = self._single(cypher.SOURCING_COLUMNS)
        return rec["a"], rec["b"]

    def pass_on_columns(self) -> dict[str, tuple[list[int], list[int]]]:
        records = self._records(cypher.PASS_ON_COLUMNS)
        return {rec["requirement"]: (rec["a"], rec["b"]) for rec in records}

    def adoption_columns(self) -> dict[str, list[int]]:
        records = self._records(cypher.ADOPTION_COLUMNS)
        return {rec["requirement"]: rec["o"] for rec in records}

    def audit_columns(self) -> dict[str, list[Any]]:
        return dict(self._single(cypher.AUDIT_COLUMNS))

    def share_columns(self) -> tuple[list[int], list[str]]:
        rec = self._single(cypher.SHARE_COLUMNS)
        return rec["a"], rec["m"]

    def open_finding_columns(self) -> tuple[list[str], list[int], list[bool], list[str | None]]:
        rec = self._single(cypher.OPEN_FINDING_COLUMNS)
        return rec["id"], rec["a"], rec["critical"], [d or None for d in rec["due"]]

    # ---- walking up from changed nodes ---------------------------------
    def node_refs(self, ids: Iterable[str]) -> dict[str, Any]:
        rec = self._single(cypher.NODE_REFS, ids=list(ids))
        return dict(zip(rec["ids"], rec["refs"], strict=True))

    def external_ids(self, refs: Iterable[Any]) -> dict[Any, str]:
        rec = self._single(cypher.EXTERNAL_IDS, refs=list(refs))
        return dict(zip(rec["refs"], rec["ids"], strict=True))

    def sourcing_in(self, refs: Iterable[Any]) -> tuple[list[Any], list[Any], list[str]]:
        rec = self._single(cypher.SOURCING_IN, refs=list(refs))
        return rec["a"], rec["b"], rec["kinds"]

    def members(self) -> list[str]:
        return sorted(self._single(cypher.MEMBERS)["ids"])

    def requirements_of(self, member: str) -> list[str]:
        copy = self._copy()
        if copy is not None:
            return copy.requirements_of(member)
        return sorted(self._single(cypher.REQUIREMENTS_OF, member=member)["ids"])

    def recognised_schemes(self, member: str) -> set[str]:
        return set(self._single(cypher.RECOGNISED_SCHEMES, member=member)["schemes"])

    # ---- details of nodes in a principal's view ----------------------------
    def _rows(self, field: str, query: str, ids: Iterable[str]) -> list[Any]:
        records = self._read(query, {"ids": sorted(set(ids))})
        return [self._row(field, dict(rec["row"])) for rec in records]

    def organisations(self, ids: Iterable[str]) -> list[Organisation]:
        copy = self._copy()
        if copy is not None:
            return copy.organisation_rows(ids)
        return self._rows("organisations", cypher.ORGANISATIONS, ids)

    def answers_in_memory(self) -> bool:
        """Whether this read-only request's rows need no round trip: the copy is at
        its version, or the changes to it have been read (graph.read_scope.without_io)."""
        at, copy = read_scope.seen(self), self.rows
        if at is None or copy.version is None:
            return False
        return (
            copy.answers(at, read_scope.began()) or self.changes_read(copy.version, at) is not None
        )

    def _copy(self) -> RowCopy | None:
        """The row copy (graph.neo4j_rows) brought to the version this read-only API
        request saw, or past the start of a mutation's pin (graph.read_scope.pinned);
        None elsewhere (a write's reads after its write, the CLI, held_still): read."""
        if self._held_tx() is not None:
            return None
        at = read_scope.seen(self)
        if at is not None:
            self.rows.bring_to(self, at, read_scope.began())
            return self.rows
        began = read_scope.pin_began()
        if began is None:
            return None
        self.rows.bring_past(self, began)
        return self.rows

    def _copy_pinned(self) -> bool:
        """Inside a mutation's pin, with the copy brought up after it began."""
        began = read_scope.pin_began()
        return began is not None and self.rows.synced >= began

    def countries(self, ids: Iterable[str]) -> dict[str, str]:
        copy = self._copy()
        if copy is not None:
            return copy.countries(ids)
        rec = self._single(cypher.COUNTRIES, ids=sorted(set(ids)))
        return dict(zip(rec["ids"], rec["countries"], strict=True))

    def label_columns(self, ids: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
        """Names and countries of the ids found (in a read-only API request, from the
        row copy: a page's labels, each page)."""
        copy = self._copy()
        if copy is not None:
            rows = copy.label_rows(ids)
        else:
            rec = self._single(cypher.LABELS, ids=list(set(ids)))
            rows = list(zip(rec["ids"], rec["names"], rec["countries"], strict=True))
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    def sourcing_of(self, buyers: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
        rec = self._single(cypher.SOURCING_OF, ids=list(set(buyers)))
        return rec["buyers"], rec["sellers"], rec["commodities"]

    # ---- what matching reads -----------------------------------------------
    def holders(self, identifiers: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        return _holders(self._single, identifiers)

    def match_candidates(self, country: str) -> list[Organisation]:
        records, _, _ = self.driver.execute_query(
            cypher.MATCH_CANDIDATES,
            country=country.upper(),
            database_=self.database,
            routing_="r",
        )
        return [self._row("organisations", dict(rec["row"])) for rec in records]

    def requirements(self, ids: Iterable[str]) -> list[Requirement]:
        return self._rows("requirements", cypher.REQUIREMENTS, ids)

    def audits(self, ids: Iterable[str]) -> list[Audit]:
        copy = self._copy()
        if copy is not None:
            return copy.audit_rows(ids)
        return self._rows("audits", cypher.AUDITS, ids)

    def findings_of(self, audit_ids: Iterable[str]) -> list[Finding]:
        return self._rows("findings", cypher.FINDINGS_OF, audit_ids)

    # ---- computed results ----------------------------------------------
    def save_results(self, results: list[StoredResult]) -> None:
        # A large network's gap lists run to tens of MB of JSON: kept compressed.
        rows = [
            {
                "id": r.id,
                "kind": r.kind,
                "member": r.member,
                "key": r.key,
                "computed_at": r.computed_at,
                "payload": _pack(r.payload),
            }
            for r in results
        ]
        self.driver.execute_query(cypher.SAVE_RESULTS, rows=rows, database_=self.database)

    def results(self, kind: str, member: str, key: str, limit: int = 10) -> list[StoredResult]:
        records, _, _ = self.driver.execute_query(
            cypher.RESULTS,
            kind=kind,
            member=member,
            key=key,
            limit=limit,
            database_=self.database,
            routing_="r",
        )
        return [
            StoredResult(**{**rec["r"], "payload": _unpack(rec["r"]["payload"])}) for rec in records
        ]

    # ---- API keys ----------------------------------------------------------
    # ---- risk tables (beside the graph) ---------------------------------------
    def save_risk_table(self, table: RiskTableRecord) -> None:
        self.driver.execute_query(
            neo4j_risk.SAVE, neo4j_risk.save_params(table), database_=self.database
        )

    def risk_tables(self) -> list[RiskTableRecord]:
        records, _, _ = self.driver.execute_query(
            neo4j_risk.TABLES, database_=self.database, routing_="r"
        )
        return [neo4j_risk.record(dict(rec["t"])) for rec in records]

    def organisation_countries(
        self,
    ) -> tuple[Collection[Any], list[str], Collection[int], list[str]]:
        rec = self._single(neo4j_risk.COUNTRIES)
        _, _, index, names = neo4j_risk.indexed([], [], rec["c"])
        return rec["h"], rec["i"], index, names

    def sourcing_commodities(
        self,
    ) -> tuple[Collection[Any], Collection[Any], Collection[int], list[str]]:
        rec = self._single(neo4j_risk.COMMODITIES)
        return neo4j_risk.indexed(rec["a"], rec["b"], rec["c"])

    def save_key(self, record: KeyRecord) -> None:
        data = {f: getattr(record, f) for f in record.__slots__}
        self.driver.execute_query(cypher.SAVE_KEY, record=data, database_=self.database)

    def key(self, key_id: str) -> KeyRecord | None:
        records = self._read(cypher.KEY, {"id": key_id})
        return _key_record(records[0]["k"]) if records else None

    def keys(self) -> list[KeyRecord]:
        records, _, _ = self.driver.execute_query(
            cypher.KEYS, database_=self.database, routing_="r"
        )
        return [_key_record(r["k"]) for r in records]

    def revoke_key(self, key_id: str, at: str) -> bool:
        return self._single_write(cypher.REVOKE_KEY, id=key_id, at=at)["n"] > 0

    # ---- share requests (beside the graph) -------------------------------------
    def share_requests(
        self,
        *,
        member: str | None = None,
        owner: str | None = None,
        audit: str | None = None,
        status: RequestStatus | None = None,
        id: str | None = None,
    ) -> list[ShareRequest]:
        filters = {"member": member, "owner": owner, "audit": audit, "id": id}
        filters["status"] = status.value if status is not None else None
        query, params = cypher.share_requests_query(filters)
        records = self._read(query, params)
        found = [_share_request(rec["r"]) for rec in records]
        return sorted(found, key=lambda r: (r.at, r.id))  # code points, as SQLite orders

    @staticmethod
    def _upsert_requests(tx: ManagedTransaction, requests: tuple[ShareRequest, ...]) -> None:
        for r in requests:
            row = {f: getattr(r, f) for f in ShareRequest.__slots__}
            row["status"] = r.status.value
            row["open_key"] = _json_key(r.member, r.audit) if r.status == "open" else None
            try:
                was = tx.run(cypher.UPSERT_SHARE_REQUEST, row=row).single(strict=True)["was"]
            except ConstraintError:  # share_request_open: one open per (member, audit)
                raise OpenRequestExists(r.member, r.audit) from None
            if was is not None and was != RequestStatus.OPEN:
                raise RequestAnswered(r.id)  # the transaction rolls back

    # ---- mutations (the API's writes) and a supplier's own part of the graph ----
    def apply(self, mutation: Mutation) -> MutationRecord:
        """One transaction whatever the batch's size (mutations are small); a plain
        one (rows to upsert only) in one statement (_apply_at_once)."""
        check = key_ahead.current()
        if check is not None:  # a write request's key not read yet: read now
            check.confirm(self.key)
        record = mutation.record
        scope = _scope(record.organisation, record.role, record.idempotency_key)
        at_once = _at_once(mutation)
        work = self._apply_at_once if at_once else self._apply
        try:
            if at_once and not claims(last_rows(mutation.batch.organisations)):
                applied, link = self._apply_alone(mutation, scope)
            else:
                with self._session() as session:
                    applied, link = session.execute_write(work, mutation, scope)
        except ConstraintError:
            # An identifier taken meanwhile (the record's own key is claimed first, under
            # a lock): the apply that holds it may be this key's first, answer with it.
            kept = self._mutation(scope) if scope is not None else None
            if kept is None:
                # taken by another organisation meanwhile (committed since our check):
                # IdentifierTaken, the store's refusal, not the driver's error
                self.identifier_moves(mutation.batch)
                raise
            self._announce()  # its writer may not have announced yet: answered now
            return kept
        if _writes_graph(mutation):  # a replay too: its first may not have announced yet
            self._announce(link)
        return applied

    def _apply_at_once(
        self, tx: ManagedTransaction, mutation: Mutation, scope: str | None
    ) -> tuple[MutationRecord, Link | None]:
        """The record, the rows and the graph's change in one statement
        (cypher.apply_mutation): one round trip besides the commit, two when the batch
        claims identifiers (their holders read first; one to release: the long way)."""
        batch = mutation.batch
        if claims(last_rows(batch.organisations)):
            if self.identifier_moves(batch, lambda q, **p: tx.run(q, p).single(strict=True)):
                return self._apply(tx, mutation, scope)
        query, params, parts = _at_once_statement(mutation, scope)
        rec = tx.run(query, params).single(strict=True)
        if not rec["mine"]:
            return _mutation_record(rec["m"]), None
        for i, (rows, refs) in enumerate(parts):
            if refs is not None and rec[f"n{i}"] < len(rows):
                self._raise_unknown(tx, [ref for r in rows for ref in refs(r)])
        return mutation.record, _link(rec, params["payload"])

    def _apply_alone(
        self, mutation: Mutation, scope: str | None
    ) -> tuple[MutationRecord, Link | None]:
        """_apply_at_once's statement as an auto-commit transaction: one round trip,
        the commit in it (a managed transaction's COMMIT is a round trip of its own,
        after the statement's). A reference that matches nothing fails the statement
        (cypher.apply_mutation's guard): nothing of it commits, and which reference
        it was is read afterwards (tried again when every one was there by then).
        Retried on a transient error (_auto_commit), as execute_write would. After a
        lost connection the statement may have committed: its retry (3 tries) finds
        its own record and writes the rows again, the same rows (a write between
        the two would be undone: left, as execute_write leaves it)."""
        query, params, parts = _at_once_statement(mutation, scope, guard=True)
        for attempt in range(READ_ATTEMPTS):
            try:
                (rec,) = self._auto_commit(query, params, "WRITE")
                break
            except ClientError as exc:
                if exc.code != cypher.GUARD_FAILED:
                    raise
                with self.driver.session(
                    database=self.database, default_access_mode="READ"
                ) as session:
                    refs = [ref for rows, of in parts if of for r in rows for ref in of(r)]
                    self._raise_unknown(session, refs)
                if attempt + 1 == READ_ATTEMPTS:  # every reference there when checked
                    raise
        if rec["m"]["id"] != mutation.record.id:  # another call with the key came first
            return _mutation_record(rec["m"]), None
        return mutation.record, _link(rec, params["payload"])

    def _apply(
        self, tx: ManagedTransaction, mutation: Mutation, scope: str | None
    ) -> tuple[MutationRecord, Link | None]:
        # The record first: a racing apply with the same key waits on its lock here,
        # before it has written anything, and then finds this one's record.
        props = _mutation_props(mutation.record, scope)
        if scope is not None:
            claim = tx.run(cypher.CLAIM_MUTATION, scope=scope, record=props).single(strict=True)
            if not claim["mine"]:
                return _mutation_record(claim["m"]), None
        else:
            tx.run(cypher.SAVE_MUTATION, record=props).consume()
        if mutation.new_requirements:
            # CREATE, not MERGE: one made meanwhile fails on the id's unique constraint
            # (one being made waits for its transaction), and apply says which.
            ids = list(mutation.new_requirements)
            try:
                tx.run(cypher.CREATE_REQUIREMENTS, ids=ids).consume()
            except ConstraintError:  # the record's key is this call's (claimed above)
                raise RequirementExists(ids) from None
        removals, batch = mutation.removals, mutation.batch
        touched: dict[tuple[str, str], None] = {}  # pairs that lost an edge, in order
        for buyer, seller, commodity in removals.sourcing:
            rec = tx.run(cypher.REMOVE_SOURCING, buyer=buyer, seller=seller, commodity=commodity)
            if rec.single(strict=True)["n"]:
                touched[(buyer, seller)] = None
        unshared: dict[tuple[str, str], None] = {}
        for share in removals.shares:
            rec = tx.run(cypher.REMOVE_SHARE, audit=share.audit, member=share.member)
            if rec.single(strict=True)["n"] and share not in batch.shares:
                unshared[(share.audit, share.member)] = None
        for r in removals.recognitions:
            tx.run(cypher.REMOVE_RECOGNITION, member=r.member, scheme=r.scheme).consume()
        self._upsert(tx, batch, None)
        self._upsert_requests(tx, mutation.requests)
        unlinked: tuple[tuple[str, str], ...] = ()
        if touched:
            pairs = [list(p) for p in touched]
            left = tx.run(cypher.UNLINKED_PAIRS, pairs=pairs).single(strict=True)["unlinked"]
            gone = {(b, s) for b, s in left}
            unlinked = tuple(p for p in touched if p in gone)
        for v in mutation.verdicts:
            of = _json_key(v.country, v.name, v.abbreviation)
            if v.same:
                tx.run(cypher.FORGET_OTHER_SAME_VERDICTS, of=of, stored_id=v.stored_id).consume()
            tx.run(
                cypher.SAVE_VERDICT,
                of=of,
                stored_id=v.stored_id,
                same=v.same,
                country=v.country,
                name=v.name,
                abbreviation=v.abbreviation,
            ).consume()
        _write_actions(tx, mutation.actions)
        link = None
        if len(batch) or removals.sourcing or removals.shares or removals.recognitions:
            link = _record_change(tx, batch, unlinked, tuple(unshared))
        return mutation.record, link

    def _mutation(self, scope: str) -> MutationRecord | None:
        records = self._read(cypher.MUTATION, {"scope": scope})
        return _mutation_record(records[0]["m"]) if records else None

    def mutation_record(
        self, organisation: str | None, role: str, idempotency_key: str
    ) -> MutationRecord | None:
        return self._mutation(_json_key(organisation, role, idempotency_key))

    def mutation_records(self, organisation: str, limit: int = 50) -> list[MutationRecord]:
        records, _, _ = self.driver.execute_query(
            cypher.MUTATIONS_OF,
            organisation=organisation,
            limit=limit,
            database_=self.database,
            routing_="r",
        )
        return [_mutation_record(r["m"]) for r in records]

    def match_verdicts(self, country: str, name: str, abbreviation: str | None) -> dict[str, bool]:
        of = _json_key(country, name, abbreviation)
        pin = read_scope.current_pin()
        read = pin.read.get("match_verdicts", {}) if pin is not None else {}
        if of in read:  # read with the changes after the pin began (RowCopy.bring_past)
            return dict(read[of])
        return dict(self._single(cypher.VERDICTS, of=of)["verdicts"])

    def _edges(self, field: str, query: str, of: str) -> list[Any]:
        records = self._read(query, {"id": of})
        return [self._row(field, dict(rec["row"])) for rec in records]

    # Sorted here, not in Cypher: Neo4j orders strings by UTF-16 code units,
    # Python (and SQLite) by code points.
    def sellers_of(self, buyer: str) -> list[Sourcing]:
        rows = self._edges("sourcing", cypher.SELLERS_OF, buyer)
        return sorted(rows, key=lambda r: (r.seller, r.commodity))

    def buyers_of(self, seller: str) -> list[Sourcing]:
        rows = self._edges("sourcing", cypher.BUYERS_OF, seller)
        return sorted(rows, key=lambda r: (r.buyer, r.commodity))

    def passed_to(self, seller: str) -> list[PassOn]:
        copy = self._copy()
        if copy is not None:
            return copy.passed_to(seller)
        rows = self._edges("pass_on", cypher.PASSED_TO, seller)
        return sorted(rows, key=lambda r: (r.requirement, r.buyer))

    def passed_by(self, buyer: str) -> list[PassOn]:
        rows = self._edges("pass_on", cypher.PASSED_BY, buyer)
        return sorted(rows, key=lambda r: (r.seller, r.requirement))

    def adoptions_of(self, organisation: str) -> list[Adoption]:
        copy = self._copy()
        if copy is not None:
            return copy.adoptions_of(organisation)
        rows = self._edges("adoptions", cypher.ADOPTIONS_OF, organisation)
        return sorted(rows, key=lambda r: r.requirement)

    def audits_of(self, organisation: str) -> list[Audit]:
        return sorted(self._edges("audits", cypher.AUDITS_OF, organisation), key=lambda a: a.id)

    def shares_of(self, audit_ids: Iterable[str]) -> dict[str, list[str]]:
        records = self._read(cypher.SHARES_OF, {"ids": sorted(set(audit_ids))})
        return {r["audit"]: sorted(r["members"]) for r in records}

    def close(self) -> None:
        self._sessions.close()
        self.driver.close()
        if self.board is not None:
            self.board.close()

    # ---- corrective actions (beside the graph) ---------------------------------
    def findings(self, ids: Iterable[str]) -> list[Finding]:
        return self._rows("findings", cypher.FINDINGS, ids)

    def corrective_actions(self, finding_ids: Iterable[str]) -> list[CorrectiveAction]:
        records = self._read(cypher.ACTIONS, {"ids": sorted(set(finding_ids))})
        return [_action(dict(r["c"])) for r in records]


def _holders(run: Run, identifiers: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    wanted: dict[str, set[str]] = {kind: set() for kind in IDENTIFIER_FIELDS}
    for kind, value in identifiers:
        if kind not in wanted:
            raise ValueError(f"{kind!r} is not an identifier ({', '.join(IDENTIFIER_FIELDS)})")
        wanted[kind].add(value)
    held = run(cypher.HOLDERS, **{kind: sorted(values) for kind, values in wanted.items()})
    return {(kind, value): holder for kind, value, holder in held["held"]}


def _cleared(moves: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """RELEASE_IDENTIFIERS' rows: each holder with the properties it loses (null)."""
    cleared: dict[str, dict[str, None]] = {}
    for holder, kind in moves:
        cleared.setdefault(holder, {})[kind] = None
    return [{"id": holder, "cleared": props} for holder, props in cleared.items()]


def _share_request(data: dict[str, Any]) -> ShareRequest:
    values: dict[str, Any] = {f: data.get(f) for f in ShareRequest.__slots__}
    values["status"] = RequestStatus(data["status"])
    return ShareRequest(**values)


def _key_record(data: dict[str, Any]) -> KeyRecord:
    return KeyRecord(**{f: data.get(f) for f in KeyRecord.__slots__})  # type: ignore[arg-type]


def _json_key(*parts: str | None) -> str:
    """Several values, None among them, as one property a constraint can hold."""
    return orjson.dumps(parts).decode()


def _scope(organisation: str | None, role: str, idempotency_key: str | None) -> str | None:
    return _json_key(organisation, role, idempotency_key) if idempotency_key is not None else None


def _mutation_props(record: MutationRecord, scope: str | None) -> dict[str, Any]:
    data = {f: getattr(record, f) for f in record.__slots__}
    data["response"] = orjson.dumps(record.response).decode()
    return {**data, "scope": scope}


def _mutation_record(data: dict[str, Any]) -> MutationRecord:
    values = {f: data.get(f) for f in MutationRecord.__slots__}
    values["response"] = orjson.loads(data["response"])
    return MutationRecord(**values)  # type: ignore[arg-type]


def _step_text(s: ActionStep) -> str:
    due = s.due_date.isoformat() if s.due_date else None
    return orjson.dumps([s.at, s.kind.value, s.by, s.role, s.note, due]).decode()


def _write_actions(tx: ManagedTransaction, actions: Iterable[CorrectiveAction]) -> None:
    """Plans upserted by finding, their steps appended; an unknown finding raises."""
    actions = list(actions)
    if not actions:
        return
    ids = sorted({a.finding for a in actions})
    missing = tx.run(cypher.MISSING_FINDINGS, ids=ids).single(strict=True)["missing"]
    if missing:
        raise UnknownReference("finding", missing)
    rows = [
        {
            "finding": a.finding,
            "description": a.description,
            "target_date": a.target_date.isoformat(),
            "status": a.status.value,
            "evidence": a.evidence,
            "reason": a.reason,
            "extension": a.extension.isoformat() if a.extension else None,
            "steps": [_step_text(s) for s in a.history],
        }
        for a in actions
    ]
    tx.run(cypher.UPSERT_ACTIONS, rows=rows).consume()


def _action(data: dict[str, Any]) -> CorrectiveAction:
    steps = []
    for text in data.get("steps") or []:
        at, kind, by, role, note, due = orjson.loads(text)
        steps.append(
            ActionStep(at, StepKind(kind), by, role, note, date.fromisoformat(due) if due else None)
        )
    steps.sort(key=lambda s: (s.at, s.kind.value))
    extension = data.get("extension")
    return CorrectiveAction(
        data["finding"],
        data["description"],
        date.fromisoformat(data["target_date"]),
        ActionStatus(data["status"]),
        data.get("evidence"),
        data.get("reason"),
        date.fromisoformat(extension) if extension else None,
        tuple(steps),
    )
