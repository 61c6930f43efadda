"""The embedded store: the graph in one SQLite file (WAL) in the data folder.

Several processes (CLI commands, `serve`, `worker`) open it at once; each write
is one IMMEDIATE transaction (writers queue behind each other, readers never
wait) that also bumps the graph version and keeps the write's rows as a
GraphChange, so every process's projection catches up on the others' writes.
Each thread gets its own connection (the API serves from a thread pool).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from graph import request_parts, sqlite_risk
from graph import sqlite_sql as sql
from graph.codec import batch_from_dict, sorted_batch
from graph.identifiers import claims, last_rows, released, shared_error
from graph.model import (
    IDENTIFIER_FIELDS,
    ActionStatus,
    ActionStep,
    Adoption,
    Audit,
    CorrectiveAction,
    Finding,
    FindingStatus,
    GraphBatch,
    Kind,
    Organisation,
    PassOn,
    Recognition,
    Requirement,
    Requires,
    Severity,
    Share,
    Sourcing,
    StepKind,
)
from graph.sqlite_board import Board, Turn
from graph.sqlite_checkpoint import Checkpointer
from graph.store import (
    CHANGE_ROWS,
    CHANGES_KEPT,
    KIND_ORDER,
    Entity,
    GraphChange,
    KeyRecord,
    Mutation,
    MutationRecord,
    OpenRequestExists,
    Removals,
    RequestAnswered,
    RequestStatus,
    RequirementExists,
    RiskTableRecord,
    ShareRequest,
    StoredResult,
    UnknownReference,
)

DB_FILE = "store.db"
BUSY_SECONDS = 60.0  # how long a writer waits for another process's write to end
TURN_SECONDS = 60.0  # how long a writer waits for its turn (graph.sqlite_board)
PROGRESS_ROWS = 20_000  # progress is told after every so many rows
# Page cache per connection: small for reads (a count or a column read streams
# through it once, so memory stays flat in the network's size; the OS caches the
# file), large while a big write maintains its indexes.
READ_CACHE_KB, WRITE_CACHE_KB = 8 * 1024, 256 * 1024
FORGET_EVERY = 32  # changes older than CHANGES_KEPT are deleted at every so many versions
CHECKPOINT_ROWS = 1_000  # rows a process's commits change between its checkpoints
AUTOCHECKPOINT_PAGES = 20_000  # 80 MB of WAL: SQLite folds it in at a commit
KIND_CODE = {kind: code for code, kind in enumerate(KIND_ORDER)}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def _pack(payload: Any) -> bytes:
    return zlib.compress(orjson.dumps(payload), 1)


def _unpack(blob: bytes) -> Any:
    return orjson.loads(zlib.decompress(blob))


class SqliteStore:
    def __init__(self, data_dir: Path | None = None):
        """The store in `data_dir/store.db`, made when missing; None: a private
        in-memory database (tests, and checking files against an empty graph)."""
        if data_dir is None:
            self.target = f"file:tiergraph-{uuid.uuid4().hex}?mode=memory&cache=shared"
            self.path: Path | None = None
        else:
            data_dir.mkdir(parents=True, exist_ok=True)
            self.path = data_dir / DB_FILE
            self.target = self.path.resolve().as_uri()
        # Writers take turns on it and readers learn that nothing changed (one process:
        # the in-memory database needs neither).
        self._board = Board(self.path) if self.path is not None else None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._turns: list[Turn] = []
        self._unchecked = 0  # rows committed since this process's last checkpoint
        self._checkpointer = (
            Checkpointer(self.target, BUSY_SECONDS) if self.path is not None else None
        )
        self._guard = threading.Lock()
        self._keep = self._connect()  # an in-memory database lives while one connection does
        self._ensure_schema(self._keep)

    # ---- connections ---------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.target,
            uri=True,
            timeout=BUSY_SECONDS,
            isolation_level=None,
            check_same_thread=False,
        )
        if self.path is not None:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # durable at checkpoints; WAL stays whole
            # Checkpoints after a write's turn (_checkpoint_after); SQLite's own only as a
            # safety net, at a larger WAL than its default 1,000 pages.
            db.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute(f"PRAGMA cache_size = -{READ_CACHE_KB}")
        with self._guard:
            self._connections.append(db)
        return db

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def _ensure_schema(self, db: sqlite3.Connection) -> None:
        self._local.db = db
        turn = self._turn()
        if turn is not None:
            turn.take(TURN_SECONDS)
        try:
            db.executescript(
                "BEGIN IMMEDIATE;"
                + sql.SCHEMA
                + sql.ACTION_SCHEMA
                + sqlite_risk.RISK_SCHEMA
                + "COMMIT;"
            )
        finally:
            if turn is not None:
                turn.give()
        with self._transaction(db):
            db.executemany(
                sql.INIT_META,
                [("format", sql.FORMAT), ("version", "0"), ("database_id", uuid.uuid4().hex)],
            )
            found = db.execute(sql.META, ("format",)).fetchone()[0]
            if found != sql.FORMAT and found not in sql.FORMATS_MIGRATED:
                raise RuntimeError(
                    f"{self.path} holds a store of format {found}; this tiergraph reads "
                    f"format {sql.FORMAT}"
                )
            self._migrate(db, found)

    def _migrate(self, db: sqlite3.Connection, found: str) -> None:
        """Bring a store of an older format up to FORMAT in the open's transaction:
        the organisation columns it lacks, then the indexes (made when missing)."""
        present = {name for (name,) in db.execute(sql.TABLE_COLUMNS, ("organisation",))}
        for name, type_ in sql.ORGANISATION_COLUMNS_ADDED.items():
            if name not in present:
                db.execute(sql.ADD_COLUMN.format(name=name, type=type_))
        try:
            for statement in sql.INDEXES:
                db.execute(statement)
        except sqlite3.IntegrityError:
            shared = {
                (kind, value): json.loads(ids)
                for kind, query in sql.SHARED_IDENTIFIERS.items()
                for value, ids in db.execute(query)
            }
            fix = f'sqlite3 {self.path} "{sql.CLEAR_ONE}"'
            raise shared_error(str(self.path or "the store"), shared, fix) from None
        if found != sql.FORMAT:
            db.execute(sql.SET_FORMAT, (sql.FORMAT,))

    def _turn(self) -> Turn | None:
        """This thread's handle on the writers' turns (graph.sqlite_board)."""
        if self._board is None:
            return None
        turn = getattr(self._local, "turn", None)
        if turn is None:
            turn = self._local.turn = self._board.turn()
            with self._guard:
                self._turns.append(turn)
        return turn

    @contextmanager
    def _transaction(self, db: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: whole or not at all, in this process's and the
        others' writers' turn (the busy timeout only waits for writers that take none)."""
        db = db or self.db
        board, turn = self._board, self._turn()
        before = db.total_changes
        if turn is not None:
            with request_parts.timing("turn wait"):
                turn.take(TURN_SECONDS)
        try:
            with request_parts.timing("transaction"):
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                if board is not None:
                    board.begin_commit()
                db.execute("COMMIT")
        finally:
            if board is not None and turn is not None:
                board.end_commit()
                turn.give()
        self._checkpoint_after(db.total_changes - before)

    def _checkpoint_after(self, rows: int) -> None:
        """Fold the WAL into the database once this process's commits changed
        CHECKPOINT_ROWS rows, in the checkpoint thread (graph.sqlite_checkpoint):
        not in the turn (SQLite's own checkpoint runs inside COMMIT: others' writes
        would wait for its fsync) and not in the committing request's time."""
        if self._checkpointer is None:
            return
        self._unchecked += rows
        if self._unchecked >= CHECKPOINT_ROWS:
            self._unchecked = 0
            self._checkpointer.ask()

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """Several reads that see one committed state (within held_still: its own)."""
        db = self.db
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN")
        try:
            yield db
        finally:
            db.execute("COMMIT")

    @contextmanager
    def held_still(self) -> Iterator[None]:
        with self._snapshot():
            yield

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
        with self._guard:
            for db in self._connections:
                db.close()
            self._connections.clear()
            for turn in self._turns:
                turn.close()
            self._turns.clear()
        self._local = threading.local()

    # ---- writes ----------------------------------------------------------
    def write(self, batch: GraphBatch, progress: Callable[[int], None] | None = None) -> None:
        tell = progress or (lambda _n: None)
        big = len(batch) > CHANGE_ROWS
        db = self.db
        if big:
            db.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KB}")
        try:
            with self._transaction(db):
                _Writer(db, tell).write(batch)
                self._changed(db, None if big else batch)
        finally:
            if big:
                db.execute(f"PRAGMA cache_size = -{READ_CACHE_KB}")  # frees the excess pages

    def remove_sourcing(self, buyer: str, seller: str, commodity: str | None = None) -> int:
        with self._transaction() as db:
            if commodity is None:
                removed = db.execute(sql.REMOVE_SOURCING, (buyer, seller)).rowcount
            else:
                removed = db.execute(sql.REMOVE_SOURCING_OF, (buyer, seller, commodity)).rowcount
            if removed:
                handles = _handles(db, [buyer, seller])
                linked = db.execute(sql.PAIR_LINKED, (handles[buyer], handles[seller])).fetchone()
                self._changed(db, GraphBatch(), () if linked else ((buyer, seller),))
        return removed

    def clear(self) -> None:
        """Empty the graph, its saved results, the API keys, mutation records and
        match verdicts (they name its organisations); a new graph version; the
        database keeps its id."""
        with self._transaction() as db:
            for table in (*sql.GRAPH_TABLES, *sql.BESIDE_GRAPH_TABLES, *sql.ACTION_TABLES):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - names from a constant
            self._changed(db, None)

    @staticmethod
    def _changed(
        db: sqlite3.Connection,
        batch: GraphBatch | None,
        unlinked: tuple[tuple[str, str], ...] = (),
        unshared: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """A new graph version, with the change that made it (None: not kept)."""
        version = int(db.execute(sql.BUMP_VERSION).fetchone()[0])
        if batch is None:
            db.execute(sql.FORGET_CHANGES)
            return
        # orjson writes the batch's dataclasses as graph.codec.batch_to_dict's dicts
        # (fields in order, dates ISO, enums by value; tests/graph/test_sqlite_change.py)
        # without building them first.
        payload = {"batch": batch, "unlinked": unlinked, "unshared": unshared}
        db.execute(sql.RECORD_CHANGE, (version, _pack(payload)))
        if version % FORGET_EVERY == 0:  # a statement less for the other writes
            db.execute(sql.FORGET_OLD_CHANGES, (version - CHANGES_KEPT,))

    # ---- reads -----------------------------------------------------------
    def graph_version(self) -> str:
        """Read from the database unless the board shows that no write committed since
        this thread last read it (graph.sqlite_board); in a snapshot, the snapshot's."""
        db, board = self.db, self._board
        if board is None or db.in_transaction:
            return db.execute(sql.META, ("version",)).fetchone()[0]
        seen = board.counter()  # before the read: a write after it changes the counter
        kept = getattr(self._local, "version", None)
        if kept is not None and kept[0] == seen:
            return kept[1]
        version: str = db.execute(sql.META, ("version",)).fetchone()[0]
        # odd: a write under way (or a writer killed half-way): read again next time
        self._local.version = None if seen & 1 else (seen, version)
        return version

    def database_id(self) -> str:
        return self.db.execute(sql.META, ("database_id",)).fetchone()[0]

    def changes_since(self, version: str) -> list[GraphChange] | None:
        if not version.isdigit():
            return None
        if version == self.graph_version():  # cheap when nothing was written since
            return []
        with self._snapshot() as db:
            current = int(db.execute(sql.META, ("version",)).fetchone()[0])
            if current - int(version) > CHANGES_KEPT:  # kept until the next forget
                return None
            rows = db.execute(sql.CHANGES_AFTER, (int(version),)).fetchall()
        if [v for v, _ in rows] != list(range(int(version) + 1, current + 1)):
            return None
        changes = []
        for v, blob in rows:
            payload = _unpack(blob)
            unlinked = tuple((a, b) for a, b in payload["unlinked"])
            unshared = tuple((a, m) for a, m in payload.get("unshared", ()))  # older: none
            changes.append(
                GraphChange(str(v), batch_from_dict(payload["batch"]), unlinked, unshared)
            )
        return changes

    def kinds(self, ids: Iterable[str]) -> dict[str, Kind]:
        rows = self.db.execute(sql.HANDLES_OF, (_json(ids),))
        return {i: KIND_ORDER[kind] for i, _, kind in rows}

    def existing(self, entity: Entity, ids: Iterable[str]) -> set[str]:
        return {i for (i,) in self.db.execute(sql.EXISTING[entity], (_json(ids),))}

    def sourcing_pairs(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        rows = self.db.execute(sql.SOURCING_PAIRS, (json.dumps([list(p) for p in pairs]),))
        return {(b, s) for b, s in rows}

    def ping(self) -> None:
        self.db.execute("SELECT 1").fetchone()

    def counts(self) -> dict[str, int]:
        with self._snapshot() as db:
            kinds = dict(db.execute(sql.COUNT_KINDS).fetchall())
            tables = db.execute(sql.COUNT_TABLES).fetchone()
        names: tuple[str, ...] = ("requirements", "audits", "findings", "requires", "sourcing")
        names += ("pass_on",)
        names += ("adoptions", "shares", "recognitions")
        return {
            "members": kinds.get(0, 0),
            "suppliers": kinds.get(1, 0),
            "smallholders": kinds.get(2, 0),
            **dict(zip(names, tables, strict=True)),
        }

    def export(self) -> GraphBatch:
        with self._snapshot() as db:
            rows = {name: db.execute(query).fetchall() for name, query in sql.EXPORT.items()}
        batch = GraphBatch(**{name: list(map(_ROW[name], found)) for name, found in rows.items()})
        return sorted_batch(batch)

    def stored_rows(self, kind: str, owners: Collection[str]) -> list[Any]:
        found = self.db.execute(sql.STORED[kind], (_json(owners),)).fetchall()
        return list(map(_ROW[kind], found))

    # ---- what the cascade reads (handles are rowids: they never move) ------
    def organisation_columns(self) -> tuple[list[int], list[str], list[int]]:
        return _columns(self.db.execute(sql.ORGANISATION_COLUMNS), 3)  # type: ignore[return-value]

    def sourcing_columns(self) -> tuple[list[int], list[int]]:
        return _columns(self.db.execute(sql.SOURCING_COLUMNS), 2)  # type: ignore[return-value]

    def pass_on_columns(self) -> dict[str, tuple[list[int], list[int]]]:
        out: dict[str, tuple[list[int], list[int]]] = {}
        for requirement, buyer, seller in self.db.execute(sql.PASS_ON_COLUMNS):
            a, b = out.setdefault(requirement, ([], []))
            a.append(buyer)
            b.append(seller)
        return out

    def adoption_columns(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for requirement, organisation in self.db.execute(sql.ADOPTION_COLUMNS):
            out.setdefault(requirement, []).append(organisation)
        return out

    def audit_columns(self) -> dict[str, list[Any]]:
        names: tuple[str, ...] = ("handle", "id", "organisation", "scheme", "audit_date")
        names += ("valid_until",)
        names += ("commissioned_by", "shared_with_all")
        cols = _columns(self.db.execute(sql.AUDIT_COLUMNS), len(names))
        out = dict(zip(names, cols, strict=True))
        out["shared_with_all"] = [bool(v) for v in out["shared_with_all"]]
        return out

    def share_columns(self) -> tuple[list[int], list[str]]:
        return _columns(self.db.execute(sql.SHARE_COLUMNS), 2)  # type: ignore[return-value]

    def open_finding_columns(self) -> tuple[list[str], list[int], list[bool], list[str | None]]:
        ids, audits, critical, due = _columns(self.db.execute(sql.OPEN_FINDING_COLUMNS), 4)
        return ids, audits, [bool(c) for c in critical], due

    # ---- walking up from changed nodes -------------------------------------
    def node_refs(self, ids: Iterable[str]) -> dict[str, Any]:
        return _handles(self.db, ids)

    def external_ids(self, refs: Iterable[Any]) -> dict[Any, str]:
        return dict(self.db.execute(sql.IDS_OF, (_json(refs),)).fetchall())

    def sourcing_in(self, refs: Iterable[Any]) -> tuple[list[Any], list[Any], list[str]]:
        rows = self.db.execute(sql.SOURCING_IN, (_json(refs),)).fetchall()
        return (
            [s for s, _, _ in rows],
            [b for _, b, _ in rows],
            [KIND_ORDER[k].value for *_, k in rows],
        )

    def members(self) -> list[str]:
        return [i for (i,) in self.db.execute(sql.MEMBERS)]

    def requirements_of(self, member: str) -> list[str]:
        return [r for (r,) in self.db.execute(sql.REQUIREMENTS_OF, (member,))]

    def recognised_schemes(self, member: str) -> set[str]:
        return {s for (s,) in self.db.execute(sql.SCHEMES_OF, (member,))}

    # ---- details of nodes in a principal's view ------------------------------
    def organisations(self, ids: Iterable[str]) -> list[Organisation]:
        rows = self.db.execute(sql.ORGANISATIONS, (_json(set(ids)),))
        return [_organisation(row) for row in rows]

    def countries(self, ids: Iterable[str]) -> dict[str, str]:
        return dict(self.db.execute(sql.COUNTRIES, (_json(set(ids)),)).fetchall())

    def label_columns(self, ids: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
        return _columns(self.db.execute(sql.LABELS, (_json(set(ids)),)), 3)  # type: ignore[return-value]

    def sourcing_of(self, buyers: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
        found = self.db.execute(sql.SOURCING_OF, (_json(set(buyers)),))
        return _columns(found, 3)  # type: ignore[return-value]

    # ---- what matching reads ---------------------------------------------------
    def holders(self, identifiers: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        return _holders(self.db, identifiers)

    def match_candidates(self, country: str) -> list[Organisation]:
        rows = self.db.execute(sql.MATCH_CANDIDATES, (country.upper(),))
        return [_organisation(row) for row in rows]

    def requirements(self, ids: Iterable[str]) -> list[Requirement]:
        rows = self.db.execute(sql.REQUIREMENTS, (_json(set(ids)),))
        return [Requirement(i, t, v, tuple(json.loads(f))) for i, t, v, f in rows]

    def audits(self, ids: Iterable[str]) -> list[Audit]:
        rows = self.db.execute(sql.AUDITS, (_json(set(ids)),))
        return [
            Audit(i, o, s, date.fromisoformat(d), date.fromisoformat(u), c, r, a, bool(w))
            for i, o, s, d, u, c, r, a, w in rows
        ]

    def findings_of(self, audit_ids: Iterable[str]) -> list[Finding]:
        rows = self.db.execute(sql.FINDINGS_OF, (_json(set(audit_ids)),))
        return [
            Finding(i, a, Severity(s), FindingStatus(st), c, _date(due))
            for i, a, s, st, c, due in rows
        ]

    # ---- computed results ----------------------------------------------------
    def save_results(self, results: list[StoredResult]) -> None:
        rows = [(r.id, r.kind, r.member, r.key, r.computed_at, _pack(r.payload)) for r in results]
        with self._transaction() as db:
            db.executemany(sql.SAVE_RESULT, rows)

    def results(self, kind: str, member: str, key: str, limit: int = 10) -> list[StoredResult]:
        rows = self.db.execute(sql.RESULTS, (kind, member, key, limit)).fetchall()
        return [StoredResult(i, k, m, key_, at, _unpack(p)) for i, k, m, key_, at, p in rows]

    # ---- risk tables (beside the graph) ---------------------------------------
    def save_risk_table(self, table: RiskTableRecord) -> None:
        with self._transaction() as db:
            sqlite_risk.save(db, table)

    def risk_tables(self) -> list[RiskTableRecord]:
        return sqlite_risk.tables(self.db)

    def organisation_countries(
        self,
    ) -> tuple[Collection[Any], Sequence[str], Collection[int], list[str]]:
        return sqlite_risk.countries(self.db)

    def sourcing_commodities(
        self,
    ) -> tuple[Collection[Any], Collection[Any], Collection[int], list[str]]:
        return sqlite_risk.commodities(self.db)

    # ---- API keys ------------------------------------------------------------
    def save_key(self, record: KeyRecord) -> None:
        with self._transaction() as db:
            db.execute(sql.SAVE_KEY, _key_row(record))

    def key(self, key_id: str) -> KeyRecord | None:
        row = self.db.execute(sql.KEY, (key_id,)).fetchone()
        return KeyRecord(*row) if row else None

    def keys(self) -> list[KeyRecord]:
        return [KeyRecord(*row) for row in self.db.execute(sql.KEYS)]

    def revoke_key(self, key_id: str, at: str) -> bool:
        with self._transaction() as db:
            return db.execute(sql.REVOKE_KEY, (at, key_id)).rowcount > 0

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
        wanted = {"member": member, "owner": owner, "audit": audit, "id": id}
        wanted["status"] = status.value if status is not None else None
        rows = self.db.execute(sql.SHARE_REQUESTS, wanted)
        return [_share_request(row) for row in rows]

    @staticmethod
    def _upsert_requests(db: sqlite3.Connection, requests: tuple[ShareRequest, ...]) -> None:
        for r in requests:
            # Inside apply's IMMEDIATE transaction: no other writer between read and write.
            was = db.execute(sql.SHARE_REQUEST_STATUS, (r.id,)).fetchone()
            if was is not None and was[0] != RequestStatus.OPEN:
                raise RequestAnswered(r.id)
            row = (r.id, r.member, r.audit, r.owner, r.status.value, r.at, r.requested_by)
            try:
                db.execute(
                    sql.UPSERT_SHARE_REQUEST,
                    (*row, r.message, r.answered_at, r.answered_by, r.reason),
                )
            except sqlite3.IntegrityError:  # share_request_open: one open per (member, audit)
                raise OpenRequestExists(r.member, r.audit) from None

    # ---- mutations (the API's writes) and a supplier's own part of the graph ----
    def apply(self, mutation: Mutation) -> MutationRecord:
        record = mutation.record
        batch, removals = mutation.batch, mutation.removals
        with self._transaction() as db:
            # The record first, in the IMMEDIATE transaction: a key kept already (a
            # repeat, or a racing apply that got its turn first) is found by its
            # unique index, nothing is written and the kept record is the answer. One
            # statement, not a look-up and an insert: each statement in the writers'
            # turn gives the GIL away, and under load waits up to 5 ms to get it back.
            if not db.execute(sql.SAVE_MUTATION, _mutation_row(record)).rowcount:
                key = record.idempotency_key
                kept = key and self._mutation(db, record.organisation, record.role, key)
                if not kept:
                    raise RuntimeError(f"mutation {record.id} was not recorded")
                return kept
            if mutation.new_requirements:
                ids = json.dumps(mutation.new_requirements)
                held = db.execute(sql.REQUIREMENTS_HELD, (ids,)).fetchall()
                if held:  # created since the plan read: rolled back, record and all
                    raise RequirementExists(i for (i,) in held)
            unlinked, unshared = _remove(db, removals)
            _Writer(db, lambda _n: None).write(batch)
            # A pair whose edge came back in the batch is linked; a share written
            # again is shared.
            unlinked = [p for p in unlinked if not _linked(db, *p)]
            unshared = [p for p in unshared if Share(*p) not in batch.shares]
            for v in mutation.verdicts:
                db.execute(
                    sql.FORGET_VERDICT, (v.country, v.name, v.abbreviation, v.stored_id, v.same)
                )
                db.execute(
                    sql.SAVE_VERDICT, (v.country, v.name, v.abbreviation, v.stored_id, int(v.same))
                )
            self._upsert_requests(db, mutation.requests)
            _write_actions(db, mutation.actions)
            if len(batch) or _any(removals):
                kept_batch = batch if len(batch) <= CHANGE_ROWS else None
                self._changed(db, kept_batch, tuple(unlinked), tuple(unshared))
        return record

    def _mutation(
        self, db: sqlite3.Connection, organisation: str | None, role: str, key: str
    ) -> MutationRecord | None:
        row = db.execute(sql.MUTATION, (organisation, role, key)).fetchone()
        return _mutation_record(row) if row else None

    def mutation_record(
        self, organisation: str | None, role: str, idempotency_key: str
    ) -> MutationRecord | None:
        return self._mutation(self.db, organisation, role, idempotency_key)

    def mutation_records(self, organisation: str, limit: int = 50) -> list[MutationRecord]:
        rows = self.db.execute(sql.MUTATIONS_OF, (organisation, limit))
        return [_mutation_record(row) for row in rows]

    def match_verdicts(self, country: str, name: str, abbreviation: str | None) -> dict[str, bool]:
        rows = self.db.execute(sql.VERDICTS, (country, name, abbreviation))
        return {stored_id: bool(same) for stored_id, same in rows}

    def sellers_of(self, buyer: str) -> list[Sourcing]:
        rows = self.db.execute(sql.SELLERS_OF, (buyer,))
        return [Sourcing(b, s, c, _date(d), r) for b, s, c, d, r in rows]

    def buyers_of(self, seller: str) -> list[Sourcing]:
        rows = self.db.execute(sql.BUYERS_OF, (seller,))
        return [Sourcing(b, s, c, _date(d), r) for b, s, c, d, r in rows]

    def passed_to(self, seller: str) -> list[PassOn]:
        rows = self.db.execute(sql.PASSED_TO, (seller,))
        return [PassOn(b, s, r, _date(at)) for b, s, r, at in rows]

    def passed_by(self, buyer: str) -> list[PassOn]:
        rows = self.db.execute(sql.PASSED_BY, (buyer,))
        return [PassOn(b, s, r, _date(at)) for b, s, r, at in rows]

    def adoptions_of(self, organisation: str) -> list[Adoption]:
        rows = self.db.execute(sql.ADOPTIONS_OF, (organisation,))
        return [Adoption(o, r, _date(at), e) for o, r, at, e in rows]

    def audits_of(self, organisation: str) -> list[Audit]:
        rows = self.db.execute(sql.AUDITS_OF, (organisation,))
        return [
            Audit(i, o, s, date.fromisoformat(d), date.fromisoformat(u), c, r, a, bool(w))
            for i, o, s, d, u, c, r, a, w in rows
        ]

    def shares_of(self, audit_ids: Iterable[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for audit, member in self.db.execute(sql.SHARES_OF, (_json(set(audit_ids)),)):
            out.setdefault(audit, []).append(member)
        return out

    # ---- corrective actions (beside the graph) ---------------------------------
    def findings(self, ids: Iterable[str]) -> list[Finding]:
        rows = self.db.execute(sql.FINDINGS, (_json(set(ids)),))
        return [
            Finding(i, a, Severity(s), FindingStatus(st), c, _date(due))
            for i, a, s, st, c, due in rows
        ]

    def corrective_actions(self, finding_ids: Iterable[str]) -> list[CorrectiveAction]:
        wanted = _json(set(finding_ids))
        with self._snapshot() as db:
            plans = db.execute(sql.ACTIONS, (wanted,)).fetchall()
            steps: dict[str, list[ActionStep]] = {}
            for f, at, kind, by, role, note, due in db.execute(sql.ACTION_STEPS, (wanted,)):
                steps.setdefault(f, []).append(
                    ActionStep(at, StepKind(kind), by, role, note, _date(due))
                )
        return [
            CorrectiveAction(
                f,
                d,
                date.fromisoformat(t),
                ActionStatus(st),
                ev,
                r,
                _date(x),
                tuple(steps.get(f, ())),
            )
            for f, d, t, st, ev, r, x in plans
        ]


def _write_actions(db: sqlite3.Connection, actions: Iterable[CorrectiveAction]) -> None:
    """Plans upserted by finding, their steps appended; an unknown finding raises."""
    actions = list(actions)
    if not actions:
        return
    wanted = {a.finding for a in actions}
    found = {i for (i,) in db.execute(sql.EXISTING["finding"], (_json(wanted),))}
    if len(found) < len(wanted):
        raise UnknownReference("finding", wanted - found)
    for a in actions:
        db.execute(
            sql.UPSERT_ACTION,
            (
                a.finding,
                a.description,
                a.target_date.isoformat(),
                a.status.value,
                a.evidence,
                a.reason,
                _day(a.extension),
            ),
        )
        db.executemany(
            sql.APPEND_ACTION_STEP,
            [
                (a.finding, s.at, s.kind.value, s.by, s.role, s.note, _day(s.due_date))
                for s in a.history
            ],
        )


def _any(removals: Removals) -> bool:
    return bool(removals.sourcing or removals.shares or removals.recognitions)


def _remove(
    db: sqlite3.Connection, removals: Removals
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Take the removals out; the buyer->seller pairs that lost an edge and the
    (audit, member) shares that went. What is not there is no error."""
    touched: dict[tuple[str, str], None] = {}  # in order, once each
    for buyer, seller, commodity in removals.sourcing:
        if commodity is None:
            removed = db.execute(sql.REMOVE_SOURCING, (buyer, seller)).rowcount
        else:
            removed = db.execute(sql.REMOVE_SOURCING_OF, (buyer, seller, commodity)).rowcount
        if removed:
            touched[(buyer, seller)] = None
    unshared = {
        (s.audit, s.member): None
        for s in removals.shares
        if db.execute(sql.REMOVE_SHARE, (s.audit, s.member)).rowcount
    }
    for r in removals.recognitions:
        db.execute(sql.REMOVE_RECOGNITION, (r.member, r.scheme))
    return list(touched), list(unshared)


def _linked(db: sqlite3.Connection, buyer: str, seller: str) -> bool:
    handles = _handles(db, [buyer, seller])
    return db.execute(sql.PAIR_LINKED, (handles[buyer], handles[seller])).fetchone() is not None


def _mutation_row(r: MutationRecord) -> tuple:
    response = orjson.dumps(r.response).decode()
    head = (r.id, r.operation, r.organisation, r.role, r.key_id, r.at, r.idempotency_key)
    return (*head, r.request, response)


def _mutation_record(row: tuple) -> MutationRecord:
    i, operation, organisation, role, key_id, at, key, request, response = row
    response = orjson.loads(response)
    return MutationRecord(i, operation, organisation, role, key_id, at, key, request, response)


def _share_request(row: tuple) -> ShareRequest:
    i, member, audit, owner, status, at, by, message, answered_at, answered_by, reason = row
    return ShareRequest(
        i,
        member,
        audit,
        owner,
        RequestStatus(status),
        at,
        by,
        message,
        answered_at,
        answered_by,
        reason,
    )


def _key_row(r: KeyRecord) -> tuple:
    return (r.id, r.role, r.organisation, r.label, r.hash, r.created_at, r.revoked_at)


def _json(values: Iterable[Any]) -> str:
    return json.dumps(list(values))


def _columns(cursor: sqlite3.Cursor, width: int) -> tuple[list[Any], ...]:
    rows = cursor.fetchall()
    if not rows:
        return tuple([] for _ in range(width))
    return tuple(list(col) for col in zip(*rows, strict=True))


def _handles(db: sqlite3.Connection, ids: Iterable[str]) -> dict[str, int]:
    return {i: h for i, h, _ in db.execute(sql.HANDLES_OF, (_json(ids),))}


def _holders(
    db: sqlite3.Connection, identifiers: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    wanted: dict[str, set[str]] = {}
    for kind, value in identifiers:
        if kind not in IDENTIFIER_FIELDS:
            raise ValueError(f"{kind!r} is not an identifier ({', '.join(IDENTIFIER_FIELDS)})")
        wanted.setdefault(kind, set()).add(value)
    return {
        (kind, value): holder
        for kind, values in wanted.items()
        for value, holder in db.execute(sql.HOLDERS[kind], (_json(values),))
    }


class _Writer:
    """One batch's rows into one open transaction, organisations' handles resolved
    once; a reference to nothing raises UnknownReference (the caller rolls back)."""

    def __init__(self, db: sqlite3.Connection, progress: Callable[[int], None]):
        self.db = db
        self.progress = progress

    def _many(self, statement: str, rows: list[tuple]) -> None:
        if not rows:  # a mutation writes one or two kinds of row: no statement for the rest
            return
        for start in range(0, len(rows), PROGRESS_ROWS):
            chunk = rows[start : start + PROGRESS_ROWS]
            self.db.executemany(statement, chunk)
            self.progress(len(chunk))

    def write(self, batch: GraphBatch) -> None:
        self._claim_identifiers(batch)
        self._many(
            sql.UPSERT_ORGANISATION,
            [
                (
                    o.id,
                    KIND_CODE[o.kind],
                    o.name,
                    o.country,
                    o.lei,
                    o.duns,
                    o.gln,
                    o.os_id,
                    o.mill_id,
                    o.abbreviation,
                    o.lat,
                    o.lon,
                    int(o.listed),
                )
                for o in batch.organisations
            ],
        )
        self._many(
            sql.UPSERT_REQUIREMENT,
            [
                (r.id, r.title, r.version, json.dumps(list(r.frameworks)))
                for r in batch.requirements
            ],
        )
        org = self._organisations(batch)
        self._check_requirements(batch)
        self._many(
            sql.UPSERT_AUDIT,
            [
                (
                    a.id,
                    org[a.organisation],
                    a.scheme,
                    a.audit_date.isoformat(),
                    a.valid_until.isoformat(),
                    org[a.commissioned_by],
                    a.rating,
                    a.auditor,
                    int(a.shared_with_all),
                )
                for a in batch.audits
            ],
        )
        audit = self._audits(batch)
        edges: dict[str, list[tuple]] = {
            "requires": [(org[r.member], r.requirement) for r in batch.requires],
            "sourcing": [
                (org[r.buyer], org[r.seller], r.commodity, _day(r.since), r.registered_by)
                for r in batch.sourcing
            ],
            "pass_on": [
                (org[r.buyer], org[r.seller], r.requirement, _day(r.at)) for r in batch.pass_on
            ],
            "adoptions": [
                (org[r.organisation], r.requirement, _day(r.at), r.evidence)
                for r in batch.adoptions
            ],
            "findings": [
                (
                    f.id,
                    audit[f.audit],
                    f.severity.value,
                    f.status.value,
                    f.category,
                    _day(f.due_date),
                )
                for f in batch.findings
            ],
            "shares": [(audit[r.audit], org[r.member]) for r in batch.shares],
            "recognitions": [(org[r.member], r.scheme) for r in batch.recognitions],
        }
        for name, rows in edges.items():
            self._many(sql.UPSERT_EDGE[name], rows)

    def _claim_identifiers(self, batch: GraphBatch) -> None:
        """IdentifierTaken before anything is written when the batch would give an
        identifier to a second organisation; identifiers it moves leave their holder."""
        rows = last_rows(batch.organisations)
        claimed = claims(rows)
        if not claimed:
            return
        for holder, kind in released(rows, claimed, _holders(self.db, claimed)):
            self.db.execute(sql.RELEASE_IDENTIFIER[kind], (holder,))

    def _organisations(self, batch: GraphBatch) -> dict[str, int]:
        wanted = {
            *(r.member for r in batch.requires),
            *(x for r in batch.sourcing for x in (r.buyer, r.seller)),
            *(x for r in batch.pass_on for x in (r.buyer, r.seller)),
            *(r.organisation for r in batch.adoptions),
            *(x for r in batch.audits for x in (r.organisation, r.commissioned_by)),
            *(r.member for r in batch.shares),
            *(r.member for r in batch.recognitions),
        }
        found = _handles(self.db, wanted) if wanted else {}
        if len(found) < len(wanted):
            raise UnknownReference("organisation", wanted - found.keys())
        return found

    def _check_requirements(self, batch: GraphBatch) -> None:
        wanted = {
            *(r.requirement for r in batch.requires),
            *(r.requirement for r in batch.pass_on),
            *(r.requirement for r in batch.adoptions),
        }
        if not wanted:
            return
        found = {i for (i,) in self.db.execute(sql.EXISTING["requirement"], (_json(wanted),))}
        if len(found) < len(wanted):
            raise UnknownReference("requirement", wanted - found)

    def _audits(self, batch: GraphBatch) -> dict[str, int]:
        wanted = {*(f.audit for f in batch.findings), *(r.audit for r in batch.shares)}
        if not wanted:
            return {}
        found = dict(self.db.execute(sql.AUDIT_HANDLES_OF, (_json(wanted),)).fetchall())
        if len(found) < len(wanted):
            raise UnknownReference("audit", wanted - found.keys())
        return found


def _organisation(row: Any) -> Organisation:
    """A row of sql._COLUMNS as the model's organisation (listed kept as 0/1)."""
    id_, kind, *rest, listed = row
    # sql._COLUMNS are the model's fields in order: one construction, no replace()
    # (a page reads hundreds); mypy cannot count *rest.
    return Organisation(id_, KIND_ORDER[kind], *rest, bool(listed))  # type: ignore[call-arg]


# A row of each sql.EXPORT (and sql.STORED) query as the model's row.
_ROW: dict[str, Callable[[Any], Any]] = {
    "organisations": _organisation,
    "requirements": lambda r: Requirement(r[0], r[1], r[2], tuple(json.loads(r[3]))),
    "requires": lambda r: Requires(*r),
    "sourcing": lambda r: Sourcing(r[0], r[1], r[2], _date(r[3]), r[4]),
    "pass_on": lambda r: PassOn(r[0], r[1], r[2], _date(r[3])),
    "adoptions": lambda r: Adoption(r[0], r[1], _date(r[2]), r[3]),
    "audits": lambda r: Audit(
        r[0],
        r[1],
        r[2],
        date.fromisoformat(r[3]),
        date.fromisoformat(r[4]),
        r[5],
        r[6],
        r[7],
        bool(r[8]),
    ),  # fmt: skip
    "findings": lambda r: Finding(
        r[0], r[1], Severity(r[2]), FindingStatus(r[3]), r[4], _date(r[5])
    ),
    "shares": lambda r: Share(*r),
    "recognitions": lambda r: Recognition(*r),
}
