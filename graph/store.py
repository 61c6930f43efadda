"""The store port: what the services need from a graph store.

Two adapters implement it, `graph.neo4j_store.Neo4jStore` and
`graph.sqlite_store.SqliteStore`; `tests/contract` runs the same tests on both.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol

from graph.model import (
    Adoption,
    Audit,
    CorrectiveAction,
    Finding,
    GraphBatch,
    Kind,
    Organisation,
    PassOn,
    Recognition,
    Requirement,
    Share,
    Sourcing,
)

Entity = Literal["requirement", "audit", "finding"]


class StoreError(Exception):
    """A write was refused; nothing of it was written."""


class IdentifierTaken(StoreError):
    """An identifier (LEI, DUNS, GLN, OS ID, UML id) already held by another
    organisation: two organisations never hold the same one."""

    def __init__(self, kind: str, value: str, organisation: str, holder: str):
        self.kind = kind  # a graph.model.IDENTIFIER_FIELDS name
        self.value = value
        self.organisation = organisation  # the one written
        self.holder = holder  # the one that holds it
        super().__init__(f"{kind} {value} is already held by organisation {holder!r}")


class OpenRequestExists(StoreError):
    """A second open share request for one (member, audit): at most one is open."""

    def __init__(self, member: str, audit: str):
        self.member = member
        self.audit = audit
        super().__init__(f"member {member!r} already has an open request for audit {audit!r}")


class RequestAnswered(StoreError):
    """A share request already granted or declined is never written again: an
    answer is given once (two racing answers: the first stands)."""

    def __init__(self, request: str):
        self.request = request
        super().__init__(f"share request {request!r} is answered already")


class RequirementExists(StoreError):
    """A requirement a mutation creates was created meanwhile by another call (its
    plan found the id free): nothing is written, and the caller plans again."""

    def __init__(self, ids: Iterable[str]):
        self.ids = sorted(set(ids))
        super().__init__(f"requirement {', '.join(map(repr, self.ids))} exists already")


class UnknownReference(StoreError):
    def __init__(self, what: str, ids: Iterable[str]):
        self.what = what
        self.ids = sorted(set(ids))
        shown = ", ".join(self.ids[:5]) + (" ..." if len(self.ids) > 5 else "")
        super().__init__(f"unknown {what}: {shown}")


class GraphStore(Protocol):
    """Every write is one transaction: it lands whole or not at all, and
    writing the same batch twice leaves the graph as after the first time."""

    def write(self, batch: GraphBatch, progress: Callable[[int], None] | None = None) -> None:
        """Write the batch atomically; `progress` is told how many rows went."""
        ...

    def clear(self) -> None:
        """Remove everything: the graph, saved results, API keys and kept changes;
        a new graph version (`tiergraph reset`)."""
        ...

    def remove_sourcing(self, buyer: str, seller: str, commodity: str | None = None) -> int:
        """Remove buyer->seller edges (one commodity, or all); returns how many."""
        ...

    def kinds(self, ids: Iterable[str]) -> dict[str, Kind]:
        """The kind of each known organisation among `ids`."""
        ...

    def existing(self, entity: Entity, ids: Iterable[str]) -> set[str]:
        """Which of `ids` exist as requirements, audits or findings."""
        ...

    def sourcing_pairs(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (buyer, seller) pairs have at least one SOURCES_FROM edge."""
        ...

    def ping(self) -> None:
        """Raise at once when the store cannot be reached: one try, no retries
        (the health check; every other call retries transient failures)."""
        ...

    def counts(self) -> dict[str, int]:
        """Nodes by kind and relationships by type (keys as in COUNT_KEYS)."""
        ...

    def export(self) -> GraphBatch:
        """The whole graph as one batch, sorted (for snapshots and equality)."""
        ...

    def stored_rows(self, kind: str, owners: Collection[str]) -> list[Any]:
        """The stored rows of `kind` (a BATCH_FIELDS name) whose ROW_OWNER field is
        among `owners`, as `export` gives them, in no particular order: what a load
        compares its rows with, to tell which it would not change."""
        ...

    # ---- what the cascade reads --------------------------------------
    # Nodes are addressed by the store's own integer handles (Neo4j's internal
    # ids; rowids in the embedded store), valid for one graph version only.
    def graph_version(self) -> str:
        """Changes with every write of the graph, in the same transaction (saved
        results are not the graph: saving them leaves it as it is)."""
        ...

    def database_id(self) -> str:
        """A stable id of this database, new when the database is made anew (a new
        file or folder, a wiped or newly imported Neo4j database): the same across
        restarts and reopenings, so that what a process saved about the graph (a
        projection cache) is never taken for another database's."""
        ...

    def changes_since(self, version: str) -> list[GraphChange] | None:
        """The writes made since the graph was at `version`, oldest first, the last
        one's version the current one; None when any of them was not kept (writes
        of more than CHANGE_ROWS rows keep none, and only the latest are kept)."""
        ...

    def held_still(self) -> AbstractContextManager[None]:
        """Within the block, this thread's reads (the version and the columns below)
        see one committed state of the graph: on Neo4j one transaction that holds the
        graph version's write lock, so a write waits for the block's end (each takes
        that lock to record its change); on the embedded store one read transaction
        (a snapshot: writes go on, unseen). For a projection read whole that writes
        kept overtaking. Write nothing from the same thread within it."""
        ...

    def organisation_columns(self) -> tuple[list[int], list[str], list[int]]:
        """Every organisation as columns: handle, id, kind (its index in KIND_ORDER)."""
        ...

    def sourcing_columns(self) -> tuple[list[int], list[int]]:
        """Every SOURCES_FROM edge as columns of handles (buyer, seller), one per commodity."""
        ...

    def pass_on_columns(self) -> dict[str, tuple[list[int], list[int]]]:
        """Requirement -> who PASSED_ON it to whom, as columns of handles (buyer, seller)."""
        ...

    def adoption_columns(self) -> dict[str, list[int]]:
        """Requirement -> handles of the organisations that ADOPTED it."""
        ...

    def audit_columns(self) -> dict[str, list[Any]]:
        """Every audit as columns: handle, id, organisation (handle), scheme,
        audit_date and valid_until (ISO days), commissioned_by (id), shared_with_all."""
        ...

    def share_columns(self) -> tuple[list[int], list[str]]:
        """Every SHARED_WITH as columns: audit handle, member id."""
        ...

    def open_finding_columns(self) -> tuple[list[str], list[int], list[bool], list[str | None]]:
        """Every open finding as columns: id, audit handle, critical or not, due day
        (ISO) or None."""
        ...

    # ---- walking up from changed nodes (which members to recompute) -------
    def node_refs(self, ids: Iterable[str]) -> dict[str, Any]:
        """The handle of each known organisation among `ids`."""
        ...

    def external_ids(self, refs: Iterable[Any]) -> dict[Any, str]:
        """The organisation id behind each handle."""
        ...

    def sourcing_in(self, refs: Iterable[Any]) -> tuple[list[Any], list[Any], list[str]]:
        """Every SOURCES_FROM edge into `refs` as columns (seller, buyer, buyer kind)."""
        ...

    def members(self) -> list[str]:
        """Every member's id, sorted."""
        ...

    def requirements_of(self, member: str) -> list[str]:
        """The requirements the member REQUIRES, sorted."""
        ...

    def recognised_schemes(self, member: str) -> set[str]: ...

    # ---- risk tables (kept beside the graph: docs/risk.md) ---------------------
    def save_risk_table(self, table: RiskTableRecord) -> None:
        """Keep the table, replacing the one of its kind, in one transaction."""
        ...

    def risk_tables(self) -> list[RiskTableRecord]:
        """The tables kept, one per kind, by kind."""
        ...

    def organisation_countries(
        self,
    ) -> tuple[Collection[Any], Sequence[str], Collection[int], list[str]]:
        """Every organisation as columns: handle, id (in id order; any sequence), its
        country's index in the last item, the distinct countries (sorted)."""
        ...

    def sourcing_commodities(
        self,
    ) -> tuple[Collection[Any], Collection[Any], Collection[int], list[str]]:
        """Every SOURCES_FROM edge as columns: buyer and seller handles, the commodity's
        index in the last item, the distinct commodities."""
        ...

    # ---- details a member's people read, for nodes already known to be in
    # their view (the walk decides what is visible; these fetch only those) ----
    def organisations(self, ids: Iterable[str]) -> list[Organisation]:
        """The known organisations among `ids`, sorted by id."""
        ...

    def countries(self, ids: Iterable[str]) -> dict[str, str]:
        """The country of each known organisation among `ids`."""
        ...

    def label_columns(self, ids: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
        """(ids, names, countries) of the known organisations among `ids`, in no
        particular order: one bulk read (exports read a chunk of nodes at a time)."""
        ...

    def sourcing_of(self, buyers: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
        """(buyer ids, seller ids, commodities): every SOURCES_FROM edge out of the
        known organisations among `buyers`, in no particular order, one bulk read."""
        ...

    def requirements(self, ids: Iterable[str]) -> list[Requirement]:
        """The known requirements among `ids`, sorted by id."""
        ...

    def audits(self, ids: Iterable[str]) -> list[Audit]:
        """The known audits among `ids`, sorted by id."""
        ...

    def findings_of(self, audit_ids: Iterable[str]) -> list[Finding]:
        """Every finding of the audits among `audit_ids`, sorted by audit then id."""
        ...

    # ---- computed results, kept with the time they were computed --------
    def save_results(self, results: list[StoredResult]) -> None:
        """In one go; idempotent on each result's id (saved twice, kept once)."""
        ...

    def results(self, kind: str, member: str, key: str, limit: int = 10) -> list[StoredResult]:
        """The newest first."""
        ...

    # ---- API keys (kept beside the graph, never part of it) ---------------
    def save_key(self, record: KeyRecord) -> None:
        """Keep a new key's record (its hash, never the key)."""
        ...

    def key(self, key_id: str) -> KeyRecord | None: ...

    def keys(self) -> list[KeyRecord]:
        """Every key's record, oldest first."""
        ...

    def revoke_key(self, key_id: str, at: str) -> bool:
        """Mark the key revoked at `at` (ISO time); False when there is no such key."""
        ...

    # ---- share requests (kept beside the graph, written by `apply`) --------
    def share_requests(
        self,
        *,
        member: str | None = None,
        owner: str | None = None,
        audit: str | None = None,
        status: RequestStatus | None = None,
        id: str | None = None,
    ) -> list[ShareRequest]:
        """The share requests matching every filter given, oldest first (by `at`, then id)."""
        ...

    # ---- mutations (the API's writes) -------------------------------------
    def apply(self, mutation: Mutation) -> MutationRecord:
        """One mutation in one transaction: its removals, then its batch (upserts,
        with the checks of `write`), its match decisions and its record, and one new
        graph version whose kept change carries the upserts, the buyer->seller pairs
        left with no edge and the shares removed. When the record has an
        idempotency key already kept for the same (organisation, role), nothing is
        written and the kept record is returned (two racing calls: one writes, the
        other gets its record). Otherwise returns `mutation.record`. Its share
        requests are upserted by id in the same transaction (they are not the graph:
        no new version for them alone); one that would make a second open request
        of one (member, audit) raises OpenRequestExists, and one that rewrites an
        answered request raises RequestAnswered; then nothing is written."""
        ...

    def mutation_record(
        self, organisation: str | None, role: str, idempotency_key: str
    ) -> MutationRecord | None:
        """The record kept under this idempotency key for this (organisation, role)."""
        ...

    def mutation_records(self, organisation: str, limit: int = 50) -> list[MutationRecord]:
        """The mutations made by principals of `organisation`, newest first."""
        ...

    def holders(self, identifiers: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """(kind, value) -> the id of the organisation holding it, for those held;
        kinds are graph.model.IDENTIFIER_FIELDS names, values normalised."""
        ...

    def match_candidates(self, country: str) -> list[Organisation]:
        """Every organisation of `country` (ISO alpha-2), for matching."""
        ...

    def match_verdicts(self, country: str, name: str, abbreviation: str | None) -> dict[str, bool]:
        """Kept choices for a matching.decisions.DecisionKey: stored id -> same or not."""
        ...

    def sellers_of(self, buyer: str) -> list[Sourcing]:
        """The buyer's SOURCES_FROM edges, sorted by seller then commodity."""
        ...

    def buyers_of(self, seller: str) -> list[Sourcing]:
        """The SOURCES_FROM edges into `seller`, sorted by buyer then commodity."""
        ...

    def passed_to(self, seller: str) -> list[PassOn]:
        """PASSED_ON edges into `seller`, sorted by requirement then buyer."""
        ...

    def passed_by(self, buyer: str) -> list[PassOn]:
        """PASSED_ON edges out of `buyer`, sorted by seller then requirement."""
        ...

    def adoptions_of(self, organisation: str) -> list[Adoption]:
        """The organisation's ADOPTED edges, sorted by requirement."""
        ...

    def audits_of(self, organisation: str) -> list[Audit]:
        """Audits covering `organisation`, sorted by id."""
        ...

    def shares_of(self, audit_ids: Iterable[str]) -> dict[str, list[str]]:
        """audit id -> the members it is SHARED_WITH (sorted), for the audits given."""
        ...

    # ---- corrective actions (beside the graph: outside counts and export) ----
    def findings(self, ids: Iterable[str]) -> list[Finding]:
        """The known findings among `ids`, sorted by id."""
        ...

    def corrective_actions(self, finding_ids: Iterable[str]) -> list[CorrectiveAction]:
        """The plans of the findings among `finding_ids`, sorted by finding, each
        with its whole history (by time, then kind)."""
        ...

    def close(self) -> None: ...


CHANGE_ROWS = 10_000  # a write of more rows keeps no GraphChange: projections rebuild
# The latest writes' changes kept. 64 was too few for two API processes under issue 12's
# write mix: one that fell behind by more rebuilt its projection while writes went on,
# was overtaken three times and answered INTERNAL (GraphChanging). (The errors that
# remained came from Neo4j's change chain read in one query: see changes_since there;
# a projection read whole is now read held still after two overtaken reads.) 256 was
# still too few on a quiet 2-core machine (2026-12-02): a process busy a second or two
# (building a country's matching index) fell further behind than 256 writes, rebuilt
# its projection and its matching indexes from the store while the writes went on
# (41% and 25% of its CPU in a py-spy of such a run), and the run served half the
# requests, its mutations stalling to p99 450-770 ms; that happened in a third of the
# runs. Catching up 4,096 changes in one pass costs less than one rebuild at 200,000
# organisations; they take ~2 MB in the store.
CHANGES_KEPT = 4096


@dataclass(frozen=True, slots=True)
class GraphChange:
    """One write, as a projection of the graph takes it in without reading it all."""

    version: str  # the graph version the write made
    batch: GraphBatch  # the rows it wrote (upserts)
    unlinked: tuple[tuple[str, str], ...] = ()  # buyer->seller pairs left with no edge
    unshared: tuple[tuple[str, str], ...] = ()  # (audit, member) SHARED_WITH removed


@dataclass(frozen=True, slots=True)
class RiskTableRecord:
    """A risk table as kept: its kind ("countries" or "goods"), where it came from,
    the day it was imported (ISO) and its rows (lists of JSON scalars, docs/risk.md)."""

    kind: str
    source: str
    edition: str
    imported: str
    rows: list[list[Any]]


@dataclass(frozen=True, slots=True)
class StoredResult:
    id: str
    kind: str  # "coverage" or "audits"
    member: str
    key: str  # the requirement id, or the as-of day for audits
    computed_at: str  # ISO 8601, UTC
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """An API key as kept: `hash` is the SHA-256 of the whole key (access.keys)."""

    id: str
    role: str  # access.principal.Role
    organisation: str | None  # None for an operator key
    label: str | None
    hash: str
    created_at: str  # ISO 8601, UTC
    revoked_at: str | None = None


@dataclass(frozen=True, slots=True)
class Removals:
    """What a mutation takes away; an edge that is not there is no error."""

    sourcing: tuple[tuple[str, str, str | None], ...] = ()  # buyer, seller, commodity|None=all
    shares: tuple[Share, ...] = ()
    recognitions: tuple[Recognition, ...] = ()


@dataclass(frozen=True, slots=True)
class MatchVerdict:
    """A person's choice on a pair (matching.decisions): the new organisation's key
    (country, folded name, folded abbreviation) and a stored id, the same or not."""

    country: str
    name: str
    abbreviation: str | None
    stored_id: str
    same: bool


@dataclass(frozen=True, slots=True)
class MutationRecord:
    """Who changed what and when; kept with the answer sent, so that the same
    idempotency key answers the same without writing again."""

    id: str  # unique per mutation
    operation: str  # the GraphQL mutation's name, e.g. "registerSupplier"
    organisation: str | None  # the principal's organisation (None: operator)
    role: str
    key_id: str  # the API key that made it
    at: str  # ISO 8601, UTC
    idempotency_key: str | None
    request: str  # SHA-256 of the arguments (a key re-used with other arguments is refused)
    response: dict[str, Any]


class RequestStatus(StrEnum):
    OPEN = "open"
    GRANTED = "granted"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class ShareRequest:
    """A member's request to see an audit it cannot see (DOMAIN.md, "Share
    requests"), addressed to the audit's owner (the organisation it covers).
    Who made each step and when: `requested_by`/`answered_by` are API key ids
    (the mutation records say more)."""

    id: str
    member: str
    audit: str
    owner: str
    status: RequestStatus
    at: str  # ISO 8601, UTC: when it was made
    requested_by: str
    message: str | None = None
    answered_at: str | None = None
    answered_by: str | None = None
    reason: str | None = None  # a decline's, when given


@dataclass(slots=True)
class Mutation:
    record: MutationRecord
    batch: GraphBatch = field(default_factory=GraphBatch)
    removals: Removals = field(default_factory=Removals)
    verdicts: tuple[MatchVerdict, ...] = ()
    requests: tuple[ShareRequest, ...] = ()  # share requests upserted by id
    # Plans upserted by finding (after the batch, in its transaction), their steps
    # appended to the kept history (a step already kept is kept once).
    actions: tuple[CorrectiveAction, ...] = ()
    # Requirements the batch creates, found absent when planned: RequirementExists
    # when one exists by the write (two members creating one id at the same moment
    # would otherwise both hold it, mutations.members.require).
    new_requirements: tuple[str, ...] = ()


KIND_ORDER = (Kind.MEMBER, Kind.SUPPLIER, Kind.SMALLHOLDER)  # kind codes in columns

COUNT_KEYS = (
    "members",
    "suppliers",
    "smallholders",
    "requirements",
    "audits",
    "findings",
    "requires",
    "sourcing",
    "pass_on",
    "adoptions",
    "shares",
    "recognitions",
)

# The field of each kind's rows that `stored_rows` selects them by: a node's id, an
# edge's start (its member, buyer, organisation or audit).
ROW_OWNER = {
    "organisations": "id",
    "requirements": "id",
    "requires": "member",
    "sourcing": "buyer",
    "pass_on": "buyer",
    "adoptions": "organisation",
    "audits": "id",
    "findings": "id",
    "shares": "audit",
    "recognitions": "member",
}
