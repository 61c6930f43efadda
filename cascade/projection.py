"""The forum graph as integer arrays, what Neo4j GDS calls a projection.

Read from the store in a few bulk column reads, kept in the process and keyed by
the store's graph version: a projection is current while the version has not
changed, brought up to date with the writes since when the store kept them
(cascade.delta), and rebuilt whole otherwise. A copy kept on disk
(cascade.projection_cache) lets a new process start from it.

Positions are stable: a build numbers organisations in id order, and a catch-up
gives an organisation it adds the next position (an append, no old position
moves), so position order is NOT id order in general. An id's position is one
dict look-up (cascade.id_index, shared by a projection and those caught up from
it); `order` (positions sorted by id) serves searches of many ids at once, `rank`
(position -> its place in id order) and `by_id` sort positions by id where an
answer is ordered by id. A catch-up does not splice its new ids into `order` (an
O(n) copy per registration): it notes them, and `order` is made when first asked
(cascade.id_order), so a version no answer sorts by id never pays for it. Audits are
numbered in id order. SOURCES_FROM is a CSR array, one edge per buyer->seller
pair whatever the commodities; a pair's key is buyer << 32 | seller (pair_key),
which does not depend on how many organisations there are.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from cascade import background_save, id_order, lock_waits
from cascade.id_index import SEARCHED_FROM, IdIndex
from graph import read_scope, request_parts, whole_builds
from graph.store import GraphChange, GraphStore

log = logging.getLogger(__name__)
NO_DUE = np.iinfo(np.int32).max  # an audit without an open finding that has a due day
NO_PAIRS = np.zeros(0, dtype=np.int64)
BUILD_TRIES = 3  # reads of the whole graph, the last one held still (writes wait)


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values: np.unique, without its cost in numpy 2.4 (measured
    10.9 s for 8.5M int64 against 0.16 s for this sort and mask)."""
    ordered = np.sort(values)
    return ordered[run_starts(ordered)] if len(ordered) > 1 else ordered


def run_starts(ordered: np.ndarray) -> np.ndarray:
    """bool per element of a sorted array: the first of its run of equal values
    (np.r_[True, a[1:] != a[:-1]] without np.r_'s 60 us of parsing per call)."""
    out = np.empty(len(ordered), dtype=bool)
    if len(ordered):
        out[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=out[1:])
    return out


SPLICE_MOST = 64  # more values than this: np.insert


def spliced(base: np.ndarray, points: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`base` with values[i] inserted before base[points[i]] (points sorted), as
    np.insert does; for a few values by joining slices, at memory speed (np.insert
    assigns through a mask of the whole: 8 ms for 200,000 ids)."""
    dtype = np.result_type(base, values)  # '<U2' ids must not cut a '<U7' one
    if len(points) > SPLICE_MOST:
        return np.insert(base.astype(dtype, copy=False), points, values)
    pieces, start = [], 0
    for i, at in enumerate(points.tolist()):
        pieces += [base[start:at], values[i : i + 1]]
        start = at
    pieces.append(base[start:])
    return np.concatenate(pieces).astype(dtype, copy=False)


def shifted(size: int, points: np.ndarray) -> np.ndarray:
    """Each of `size` old positions in the numbering after values were inserted before
    points (sorted, as np.insert takes them): i + the points at or before i, as int64.
    For a few points by adding 1 past each (0.3 ms for 200,000 against 1.0 ms for a
    search per position)."""
    if len(points) > SPLICE_MOST:
        old = np.arange(size)
        return old + np.searchsorted(points, old, side="right")
    out = np.arange(size, dtype=np.int64)
    for at in points.tolist():
        out[at:] += 1
    return out


def pair_key(buyers: Any, sellers: Any) -> np.ndarray:
    """buyer->seller pairs of positions as one int64 each: buyer << 32 | seller."""
    return (np.asarray(buyers, dtype=np.int64) << 32) | np.asarray(sellers, dtype=np.int64)


def pair_parts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pair_key's (buyers, sellers), as int64."""
    return keys >> 32, keys & 0xFFFFFFFF


def contains(ordered: np.ndarray, values: np.ndarray) -> np.ndarray:
    """bool per value: in `ordered` (sorted). np.isin hashes the whole of `ordered`
    (numpy 2.4: 8 ms for 13,000 keys); a search costs log(len) per value."""
    at = np.searchsorted(ordered, values)
    found = at < len(ordered)
    found[found] = ordered[at[found]] == values[found]
    return found


def days(iso: list[str]) -> np.ndarray:
    """ISO days as days since 1970-01-01 (int32)."""
    return np.array(iso, dtype="datetime64[D]").astype(np.int32)


def due_or_none(iso: list[str | None]) -> np.ndarray:
    """ISO days or None as days (int32), NO_DUE for None."""
    out = np.full(len(iso), NO_DUE, dtype=np.int32)
    known = np.array([d is not None for d in iso], dtype=bool)
    if known.any():
        out[known] = days([d for d in iso if d is not None])
    return out


@dataclass(frozen=True, eq=False)
class Audits:
    """Every audit by position (id order), with what the checks need."""

    ids: np.ndarray  # str
    organisation: np.ndarray  # int32 organisation position
    scheme: np.ndarray  # int32 index into schemes
    schemes: list[str]
    start: np.ndarray  # int32 days (audit_date)
    until: np.ndarray  # int32 days (valid_until)
    commissioner: np.ndarray  # int32 organisation position
    to_all: np.ndarray  # bool: shared with every customer
    share_audit: np.ndarray  # int32 audit position, one per SHARED_WITH
    share_member: np.ndarray  # int32 organisation position
    finding_ids: np.ndarray  # str: every open finding
    finding_audit: np.ndarray  # int32 audit position
    finding_critical: np.ndarray  # bool
    finding_due: np.ndarray  # int32 days, NO_DUE if none
    open_critical: np.ndarray  # bool per audit
    earliest_due: np.ndarray  # int32 days of the earliest due open finding, NO_DUE if none

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))


@dataclass(frozen=True, eq=False)
class Projection:
    version: str
    ids: np.ndarray  # str: organisation position -> id (id order after a build only)
    # intp: positions sorted by id, of the first len(id_order) positions only when a
    # catch-up noted ids it added (`added`); `order` is all of them (a search with an
    # int32 sorter converts it first: 0.3 ms at 200,000 against 4 us)
    id_order: np.ndarray
    kind: np.ndarray  # int8 index into graph.store.KIND_ORDER
    indptr: np.ndarray  # int64 CSR of SOURCES_FROM: edges of v are indptr[v]:indptr[v+1]
    indices: np.ndarray  # int32 seller position of each edge, sorted within a buyer
    pass_pairs: dict[str, np.ndarray]  # requirement -> every PASSED_ON pair, pair_keys()
    adopters: dict[str, np.ndarray]  # requirement -> positions that ADOPTED it
    audits: Audits
    build_seconds: dict[str, float] = field(default_factory=dict)
    # Which numbering the positions are in: "built@<version>" for a build (id order),
    # then a digest of that and the ids each catch-up appended. Two projections at one
    # version may number differently (a build, a catch-up): what keeps positions
    # beyond a process (cascade.engine's checkpoints) keys them by numbered_version.
    numbering: str = ""
    # The ids catch-ups appended since id_order was made, sorted, and their positions.
    added: tuple[np.ndarray, np.ndarray] | None = None
    index: IdIndex | None = None  # id -> position; None: made from ids when first asked

    def __post_init__(self) -> None:
        if self.index is None:
            object.__setattr__(self, "index", IdIndex(self.ids))

    @cached_property
    def order(self) -> np.ndarray:
        """intp: every position, sorted by id (made once per projection when asked)."""
        return id_order.merged(self.ids, self.id_order, self.added)

    @property
    def numbered_version(self) -> str:
        return f"{self.version}#{self.numbering}"

    @property
    def size(self) -> int:
        return len(self.ids)

    def position(self, org_id: str) -> int | None:
        assert self.index is not None
        return self.index.get(org_id, self.size)

    def lookup(self, wanted: Any) -> tuple[np.ndarray, np.ndarray]:
        """(position of each id, 0 where absent; whether it is there): a dict look-up
        each for a few ids, one search for many."""
        if len(wanted) <= SEARCHED_FROM:
            assert self.index is not None
            at, there = self.index.get_many([str(w) for w in wanted], self.size)
            return np.array(at, dtype=np.intp), np.array(there, dtype=bool)
        wanted = np.asarray(wanted, dtype=str)
        if not self.size:
            return np.zeros(len(wanted), dtype=np.int32), np.zeros(len(wanted), dtype=bool)
        at = np.searchsorted(self.ids, wanted, sorter=self.order).clip(max=self.size - 1)
        found = self.order[at]
        return found, self.ids[found] == wanted

    def positions_of(self, wanted: Any) -> np.ndarray:
        """Positions (int32) of ids known to be there (references are checked on write)."""
        if not len(wanted):
            return np.zeros(0, dtype=np.int32)
        return self.lookup(wanted)[0].astype(np.int32)

    def ids_up_to(self, org_id: str) -> int:
        """How many organisation ids are <= org_id: rank[v] >= this iff ids[v] > org_id."""
        return int(np.searchsorted(self.ids, org_id, side="right", sorter=self.order))

    @cached_property
    def rank(self) -> np.ndarray:
        """int32 per position: its place in id order (computed once per projection)."""
        out = np.empty(self.size, dtype=np.int32)
        out[self.order] = np.arange(self.size, dtype=np.int32)
        return out

    def by_id(self, positions: np.ndarray) -> np.ndarray:
        """The positions sorted by id."""
        return positions[np.argsort(self.rank[positions], kind="stable")]

    def out_edges(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every edge out of `nodes`: (edge numbers, their buyers)."""
        starts = self.indptr[nodes]
        counts = self.indptr[nodes + 1] - starts
        ends = np.cumsum(counts)
        edges = np.arange(ends[-1] if len(ends) else 0) + np.repeat(starts - ends + counts, counts)
        return edges, np.repeat(nodes, counts)

    @cached_property
    def passed(self) -> dict[str, np.ndarray]:
        """requirement -> the edge numbers (sorted) it was PASSED_ON along: of its
        pass_pairs, those that are SOURCES_FROM edges. Made when a whole walk or the
        gaps first ask (O(edges), once per projection), not kept up by a catch-up:
        renumbering them past each registration's new edge cost O(passed) per
        requirement and version, for answers that mostly never asked."""
        keys = edge_keys(self.indptr, self.indices)
        return {r: edges_along(keys, pairs) for r, pairs in self.pass_pairs.items()}

    def passed_pairs(self, requirement: str) -> np.ndarray:
        """The requirement's PASSED_ON pairs (pair keys, sorted), empty if none."""
        return self.pass_pairs.get(requirement, NO_PAIRS)

    @cached_property
    def nbytes(self) -> int:
        """Bytes of its arrays (once per projection: views.member._unpin asks per read)."""
        arrays = [self.ids, self.id_order, self.kind, self.indptr, self.indices]
        arrays += [*vars(self).get("passed", {}).values()]  # only if made
        arrays += [*self.pass_pairs.values(), *self.adopters.values()]
        return sum(a.nbytes for a in arrays) + self.audits.nbytes


def build(store: GraphStore) -> Projection:
    """Read the whole graph from the store into arrays."""
    clock = _Clock()
    version = store.graph_version()
    handles, ids, kinds = store.organisation_columns()
    clock.mark("read organisations")
    ids_all = np.array(ids, dtype=str)
    order = np.argsort(ids_all)  # numpy orders str as Python does
    ids_sorted = ids_all[order]
    del ids_all
    position = _lookup(np.asarray(handles, dtype=np.int64)[order])
    kind = np.asarray(kinds, dtype=np.int8)[order]
    clock.mark("number organisations")
    buyers, sellers = store.sourcing_columns()
    clock.mark("read sourcing")
    n = max(len(ids_sorted), 1)
    keys = distinct(_pair_keys(position, buyers, sellers))
    indptr, indices = csr(keys, n)
    clock.mark("build CSR")
    pass_pairs = {
        r: distinct(_pair_keys(position, a, b)) for r, (a, b) in store.pass_on_columns().items()
    }
    adopters = {
        r: distinct(position[np.asarray(o, dtype=np.int64)])
        for r, o in store.adoption_columns().items()
    }
    clock.mark("read pass-on and adoptions")
    audits = _audits(store, ids_sorted, position, clock)
    # Read before the columns: a write during the build leaves it stale (`current` checks).
    return Projection(
        version,
        ids_sorted,
        np.arange(len(ids_sorted), dtype=np.intp),  # a build numbers in id order
        kind,
        indptr,
        indices,
        pass_pairs,
        adopters,
        audits,
        clock.seconds,
        f"built@{version}",
    )


def csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """SOURCES_FROM as CSR over n organisations from its sorted distinct pair keys."""
    buyers, sellers = pair_parts(keys)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(buyers, minlength=n), out=indptr[1:])
    return indptr, sellers.astype(np.int32)


def edge_keys(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """The pair key of every edge, in edge order (sorted)."""
    buyers = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
    return pair_key(buyers, indices)


def finding_aggregates(
    audits: int, at: np.ndarray, critical: np.ndarray, due: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per audit: an open critical finding or not; the earliest due day of its open findings."""
    open_critical = np.zeros(audits, dtype=bool)
    open_critical[at[critical]] = True
    earliest_due = np.full(audits, NO_DUE, dtype=np.int32)
    np.minimum.at(earliest_due, at, due)
    return open_critical, earliest_due


def _audits(store: GraphStore, ids: np.ndarray, position: np.ndarray, clock: _Clock) -> Audits:
    cols = store.audit_columns()
    shared_audits, shared_members = store.share_columns()
    finding_ids, found_audits, critical, due = store.open_finding_columns()
    clock.mark("read audits")
    audit_ids = np.array(cols["id"], dtype=str)
    order = np.argsort(audit_ids)
    at = _lookup(np.asarray(cols["handle"], dtype=np.int64)[order])
    schemes, scheme = np.unique(np.array(cols["scheme"], dtype=str), return_inverse=True)
    found = at[np.asarray(found_audits, dtype=np.int64)].astype(np.int32)
    critical_ = np.asarray(critical, dtype=bool)
    due_days = due_or_none(due)
    open_critical, earliest_due = finding_aggregates(len(order), found, critical_, due_days)
    audits = Audits(
        ids=audit_ids[order],
        organisation=position[np.asarray(cols["organisation"], dtype=np.int64)[order]],
        scheme=scheme[order].astype(np.int32),
        schemes=schemes.tolist(),
        start=days(cols["audit_date"])[order],
        until=days(cols["valid_until"])[order],
        commissioner=positions_of(ids, np.array(cols["commissioned_by"], dtype=str)[order]),
        to_all=np.asarray(cols["shared_with_all"], dtype=bool)[order],
        share_audit=at[np.asarray(shared_audits, dtype=np.int64)],
        share_member=positions_of(ids, shared_members),
        finding_ids=np.array(finding_ids, dtype=str),
        finding_audit=found,
        finding_critical=critical_,
        finding_due=due_days,
        open_critical=open_critical,
        earliest_due=earliest_due,
    )
    clock.mark("build audit columns")
    return audits


def _lookup(handles: np.ndarray) -> np.ndarray:
    """handle -> position (int32), -1 where no position has that handle."""
    table = np.full(int(handles.max(initial=-1)) + 1, -1, dtype=np.int32)
    table[handles] = np.arange(len(handles), dtype=np.int32)
    return table


def _pair_keys(position: np.ndarray, buyers: Any, sellers: Any) -> np.ndarray:
    """buyer->seller pairs of handles as pair keys of positions."""
    b = position[np.asarray(buyers, dtype=np.int64)]
    return pair_key(b, position[np.asarray(sellers, dtype=np.int64)])


def edges_along(keys: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """The edge numbers of the pairs that are SOURCES_FROM edges (the others lead
    nowhere a cascade can go)."""
    at = np.searchsorted(keys, pairs)
    found = at < len(keys)
    found[found] = keys[at[found]] == pairs[found]
    return distinct(at[found]).astype(np.int64)


def positions_of(ids: np.ndarray, wanted: Any) -> np.ndarray:
    """Positions in a sorted array of ids (audit ids; organisation ids of a fresh
    build, whose positions are in id order) of ids known to be there (references are
    checked on write), as int32. Organisations in general: Projection.positions_of."""
    return np.searchsorted(ids, np.asarray(wanted, dtype=str)).astype(np.int32)


class _Clock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def mark(self, what: str) -> None:
        now = time.perf_counter()
        self.seconds[what] = round(now - self._last, 3)
        self._last = now


# ---- one projection per store, kept in the process (and on disk) ---------
_projections: weakref.WeakKeyDictionary[Any, Projection] = weakref.WeakKeyDictionary()
# How many changes the store's projection has taken in since its disk copy was written.
_unsaved: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_database_ids: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
# The changes each catch-up took in, (from version, to version, changes), latest last:
# what a member's view needs to be carried to the new version (views.carry).
_history: weakref.WeakKeyDictionary[Any, deque[tuple[str, str, list[GraphChange]]]] = (
    weakref.WeakKeyDictionary()
)
HISTORY_KEPT = 64
# Writing the file costs 0.06-0.15 s at 200k organisations and 0.6 s at 1M
# (bench/README.md). So a catch-up has it rewritten, by a background thread
# (cascade.background_save), only once it lacks this many changes, and at most once
# every background_save.SAVE_EVERY_SECONDS by all processes together; a build always
# writes it, at once. Pending writes are done at exit.
SAVE_AFTER_CHANGES = 128


def current(store: GraphStore) -> Projection:
    """The store's projection at its current graph version: kept if it is current,
    else brought up to date with the writes since (when the store kept them all),
    else rebuilt (the stale one dropped first, so two never coexist). A process
    without one starts from the disk cache (cascade.projection_cache) when it has
    this database's, and writes the file after a build; after catch-ups that left
    it SAVE_AFTER_CHANGES behind, a background thread writes it (flush_saves waits)."""
    kept = _kept_if_current(store)
    if kept is not None:
        return kept
    asked = time.perf_counter()
    with _lock:
        waited = time.perf_counter() - asked
        before = _projections.get(store)
        fresh, save = _current(store)
    # Served: another thread caught up while this one waited (or before it asked).
    lock_waits.WAITS.note(waited, fresh is before)
    read_scope.note(store, fresh.version)  # read after the request's own: as good
    if save == "now":
        _save(store, fresh)
    elif save == "soon":
        _saver.ask(store)
    return fresh


def flush_saves(timeout: float | None = None) -> bool:
    """Wait for the disk copies asked of the background thread; False on timeout."""
    return _saver.flush(timeout)


def is_current(store: GraphStore) -> bool:
    """Whether current(store) answers at once: the process keeps a projection at the
    store's graph version (one version read; nothing to load, build or catch up)."""
    return _kept_if_current(store) is not None


def kept_version(store: GraphStore) -> str | None:
    """The version of the projection the process keeps (None: it keeps none)."""
    kept = _projections.get(store)
    return kept.version if kept is not None else None


def kept(store: GraphStore) -> Projection | None:
    """The projection the process keeps: the newest it made (None: it keeps none)."""
    return _projections.get(store)


def _kept_if_current(store: GraphStore) -> Projection | None:
    """The kept projection when it is at the store's version. Outside the lock: the
    check is one read of the version (on Neo4j a round trip), which concurrent
    requests make side by side instead of one after another; a projection never
    changes once made, and one current when the version was read is the answer."""
    kept = _projections.get(store)
    if kept is None:
        return None
    # A read-only API request reads the version once (graph.read_scope).
    return kept if kept.version == read_scope.version(store) else None


def _current(store: GraphStore) -> tuple[Projection, str]:
    """(the projection, when to write it to disk: "now", "soon" (in the background)
    or "" (not yet))."""
    from cascade import delta

    kept = _projections.get(store)
    if kept is None:
        kept = _from_disk(store)
    elif _as_new_as_seen(store, kept):
        return kept, ""  # caught up by another thread while this one waited: as good
    changes: list[GraphChange] | None = None
    asked = kept is not None and read_scope.seen(store) is not None
    if kept is not None and asked:
        # Behind the version the request read: the changes since the kept one (those
        # this process read already, else one read), without reading the version again.
        changes = store.changes_since(kept.version)
    if not changes:
        version = store.graph_version()
        if kept is not None and kept.version == version:
            _projections[store] = kept
            return kept, ""
        if kept is not None and not (asked and changes is None):  # not kept: known already
            changes = store.changes_since(kept.version)
    reason = (
        "first" if kept is None else "changes not kept" if changes is None else "no changes read"
    )
    if kept is not None and changes:
        try:
            start = time.perf_counter()
            with request_parts.timing("catch-up"):
                fresh = delta.apply(kept, changes)
        except Exception:  # noqa: BLE001 - a change it cannot take: read the graph
            log.warning("could not apply %d change(s); rebuilding", len(changes), exc_info=True)
            reason = "a change not applied"
        else:
            # in place (a new dict per catch-up): replace() would drop what the catch-up
            # made already (Projection.passed carried over)
            fresh.build_seconds.update(kept.build_seconds)
            fresh.build_seconds["catch up"] = round(time.perf_counter() - start, 3)
            _projections[store] = fresh
            history = _history.setdefault(store, deque(maxlen=HISTORY_KEPT))
            history.append((kept.version, fresh.version, changes))
            unsaved = _unsaved[store] = _unsaved.get(store, 0) + len(changes)
            log.info("projection caught up through %d change(s)", len(changes))
            due = unsaved >= SAVE_AFTER_CHANGES and _throttle.due(store)
            return fresh, "soon" if due else ""
    del kept
    _projections.pop(store, None)
    with whole_builds.timed("projection", reason):
        fresh = _projections[store] = _build_between_writes(store)
    return fresh, "now"  # a build took seconds: the write's 0.1 s with it


def _as_new_as_seen(store: GraphStore, kept: Projection) -> bool:
    """Whether the kept projection holds every write of the version this request read
    (graph.read_scope): at it, or this process's catch-ups lead from it to the kept
    one. Memory only: without it a request that waited for the lock while another
    thread caught up read the version once more (on Neo4j a round trip) to find so."""
    seen = read_scope.seen(store)
    return seen is not None and (kept.version == seen or leads_to(store, seen, kept.version))


def leads_to(store: GraphStore, old: str, new: str) -> bool:
    """Whether this process's catch-ups lead from version `old` to `new` (`new` holds
    every write `old` held, and more). Memory only; False when not known."""
    return old != new and _taken_in(list(_history.get(store, ())), old, new) is not None


def changes_between(store: GraphStore, old: str, new: str) -> list[GraphChange] | None:
    """The changes this process's catch-ups took in from version `old` to `new`, oldest
    first; None when they were not all taken in here (a build or a load between)."""
    history = list(_history.get(store, ()))
    found = _taken_in(history, old, new)
    if found is None:  # a member's view on `old` is walked again (views.member)
        whole_builds.log.info(
            "no catch-ups kept from %s to %s (%d kept, %s)",
            old,
            new,
            len(history),
            "it is among them" if any(s == old for s, _, _ in history) else "not it",
        )
    return found


def _taken_in(
    history: list[tuple[str, str, list[GraphChange]]], old: str, new: str
) -> list[GraphChange] | None:
    """The changes of the catch-ups in `history` that lead from `old` to `new`; None
    when they do not lead there."""
    found: list[GraphChange] = []
    at = old
    for start, end, changes in history:
        if start == at and at != new:
            found += changes
            at = end
    return found if at == new else None


def _from_disk(store: GraphStore) -> Projection | None:
    """This database's projection as last saved (at whatever version it was saved)."""
    from cascade import projection_cache

    start = time.perf_counter()
    try:
        folder, database = projection_cache.default_folder(), _database_id(store)
    except Exception:  # noqa: BLE001 - no cache to be had: build as before
        log.warning("no projection cache: cannot name its folder or database", exc_info=True)
        return None
    loaded = projection_cache.load(folder, database)
    if loaded is None:
        return None
    _unsaved[store] = 0
    log.info("projection loaded from the cache in %s at version %s", folder, loaded.version)
    return replace(loaded, build_seconds={"load cache": round(time.perf_counter() - start, 3)})


def _save_latest(store: GraphStore) -> None:
    """The background thread's write: the store's projection as it is by then; after
    catch-ups at most once every SAVE_EVERY_SECONDS by one process of those sharing
    the folder (background_save.Throttle), all that are owed at exit."""
    from cascade import projection_cache

    latest = _projections.get(store)
    if latest is None or not _unsaved.get(store, 0):
        return
    if _exiting:
        _save(store, latest)
        return
    every = background_save.SAVE_EVERY_SECONDS
    try:
        folder = projection_cache.default_folder()
        path = projection_cache.path_for(folder, _database_id(store))
        with background_save.folder_lock(folder) as mine:
            age = _throttle.file_age(path)  # read holding the lock: not mid-write
            if not mine or age < every:  # another process writes it, or just wrote it
                _throttle.wait(store, every if not mine else every - age)
                return
            _save(store, latest)
    except OSError:  # no folder to lock: as a failed write, tried again later
        log.warning("could not lock the projection cache folder", exc_info=True)
    _throttle.wait(store, every)


def _database_id(store: GraphStore) -> str:
    """The store's database id, read once per store: the cache file is named by it, and
    the writes owed at exit are made after the store's driver may have closed (on
    Neo4j the id is a read)."""
    found = _database_ids.get(store)
    if found is None:
        found = _database_ids[store] = store.database_id()
    return found


def _save(store: GraphStore, projection: Projection) -> None:
    """Write the file (outside the lock: a projection never changes once made)."""
    from cascade import projection_cache

    start = time.perf_counter()
    try:
        projection_cache.save(projection_cache.default_folder(), _database_id(store), projection)
    except Exception as exc:  # noqa: BLE001 - a cache not written costs a build later
        if _exiting:  # a store closed before the process's exit: one line, no traceback
            log.warning("could not write the projection cache at exit (%s)", exc)
        else:
            log.warning("could not write the projection cache", exc_info=True)
        return
    with _lock:
        if _projections.get(store) is projection:
            _unsaved[store] = 0
    projection.build_seconds["save cache"] = round(time.perf_counter() - start, 3)


class GraphChanging(RuntimeError):
    """The graph changed while it was read held still: a store that does not keep its
    promise (graph.store.GraphStore.held_still). Never expected."""


def _build_between_writes(store: GraphStore) -> Projection:
    """A build no write overlapped. A write that commits during a build changes the
    version, and the columns read may mix before and after it (or not fit together
    at all): such a build is read again, and after BUILD_TRIES - 1 overtaken reads
    the last one is read held still (on Neo4j writes wait for it: seconds at 200k,
    so only when writes keep overtaking; on the embedded store a snapshot)."""
    for _ in range(BUILD_TRIES - 1):
        version = store.graph_version()
        try:
            fresh = build(store)
        except (IndexError, ValueError):
            if store.graph_version() == version:
                raise  # no write overlapped: a real fault
            continue
        if fresh.version == version == store.graph_version():
            return fresh
    log.warning(
        "the graph changed during %d read(s) of it: reading it held still (writes wait)",
        BUILD_TRIES - 1,
    )
    with store.held_still():
        version = store.graph_version()
        fresh = build(store)
        if not fresh.version == version == store.graph_version():
            raise GraphChanging("the graph changed while it was read held still")
    return fresh


def forget(store: GraphStore, on_disk: bool = False) -> None:
    """Drop the store's projection from this process (the next cascade starts from
    the disk cache), and with `on_disk` its file too (the next cascade reads the graph)."""
    with _lock:
        _projections.pop(store, None)
        _unsaved.pop(store, None)
        if on_disk:
            from cascade import projection_cache

            folder = projection_cache.default_folder()
            projection_cache.path_for(folder, _database_id(store)).unlink(missing_ok=True)


def _save_unsaved_at_exit() -> None:
    """At exit: the copies of projections that took changes in since theirs was written."""
    global _exiting
    _exiting = True
    for store, unsaved in list(_unsaved.items()):
        if unsaved:
            _saver.ask(store)


_exiting = False  # set at exit: a store may be closed by then
_saver = background_save.Saver(_save_latest)
_throttle = background_save.Throttle()
background_save.at_exit(_saver, _save_unsaved_at_exit)
