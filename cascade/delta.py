"""A projection brought up to date with the writes since it was built, without
reading the graph again: each write's rows (graph.store.GraphChange) are merged
into its arrays. The result equals a fresh build at the same version (tested on
both stores); a write that kept no change means a rebuild instead.

Writes only add or update rows (upserts), except SOURCES_FROM and SHARED_WITH
edges, which can be removed: a change names the buyer->seller pairs left with no
edge at all and the shares taken away (recognitions, also removable, are not in a
projection).
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import replace

import numpy as np

from cascade import growing, id_order
from cascade.projection import (
    NO_PAIRS,
    SPLICE_MOST,
    Audits,
    Projection,
    contains,
    csr,
    days,
    distinct,
    due_or_none,
    edge_keys,
    edges_along,
    finding_aggregates,
    pair_key,
    pair_parts,
    positions_of,
    shifted,
    spliced,
)
from graph.model import FindingStatus, GraphBatch, PassOn, Severity
from graph.store import KIND_ORDER, GraphChange


def apply(projection: Projection, changes: list[GraphChange]) -> Projection:
    for change in coalesced(changes):
        projection = _apply_one(projection, change)
    return projection


def coalesced(changes: list[GraphChange]) -> list[GraphChange]:
    """Runs of changes as one change each, so that a catch-up costs one pass over the
    arrays however many writes it takes in. A run's rows keep their write order (a
    later row wins, as within one batch). A change's unlinked pairs go after its own
    rows and its unshared pairs before them: so one that unlinks ends a run, one that
    unshares starts one."""
    out: list[GraphChange] = []
    run: list[GraphChange] = []
    for change in changes:
        if change.unshared and run:
            out.append(_joined(run))
            run = []
        run.append(change)
        if change.unlinked:
            out.append(_joined(run))
            run = []
    if run:
        out.append(_joined(run))
    return out


def _joined(run: list[GraphChange]) -> GraphChange:
    if len(run) == 1:
        return run[0]
    batch = GraphBatch()
    for change in run:
        batch.extend(change.batch)
    return GraphChange(run[-1].version, batch, run[-1].unlinked, run[0].unshared)


def merged(base: np.ndarray, extra: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`base` (sorted, distinct) with the values of `extra` it lacks, in order; and
    each old element's new index. O(len(base)) copies, no sort of `base`."""
    new, points = _lacking(base, extra)
    if not len(new):
        return base, np.arange(len(base), dtype=np.int32)
    return spliced(base, points, new), shifted(len(base), points).astype(np.int32)


def united(base: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """merged()'s array alone: `base` (sorted, distinct) with the values of `extra` it
    lacks, in order; `base` itself when it lacks none (no sort, no renumbering)."""
    new, points = _lacking(base, extra)
    return spliced(base, points, new) if len(new) else base


def _lacking(base: np.ndarray, extra: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of `extra` not in `base`, sorted, and where they go in it."""
    extra = distinct(extra)
    new = extra[~contains(base, extra)]
    return new, np.searchsorted(base, new)


def _apply_one(p: Projection, change: GraphChange) -> Projection:
    b = change.batch
    old_n = p.size
    # Organisations: a new id takes the next position (an append, no old one moves);
    # its place in id order is noted, not spliced into `order` (cascade.id_order).
    named = np.array([o.id for o in b.organisations], dtype=str)
    ids, kind, index = p.ids, p.kind, p.index
    id_order_, noted = p.id_order, p.added
    new_ids = named[:0]
    if len(named):
        new_ids = distinct(named[~p.lookup(named)[1]])
    if len(new_ids):
        if "order" in vars(p):  # made for a read of p: start from it
            id_order_, noted = p.order, None
        added_at = np.arange(old_n, old_n + len(new_ids), dtype=np.intp)
        ids = growing.appended(p.ids, new_ids)
        assert index is not None
        index = index.grown(old_n, ids)
        noted = id_order.noted(noted, new_ids, added_at)
        if len(noted[0]) > id_order.NOTED_MOST:
            id_order_, noted = id_order.merged(ids, id_order_, noted), None
        kind = growing.appended(p.kind, np.zeros(len(new_ids), dtype=np.int8))
    n = len(ids)
    lookup = replace(p, ids=ids, id_order=id_order_, added=noted, index=index)
    if b.organisations:
        where = lookup.lookup(named)[0]
        kinds = np.array([KIND_ORDER.index(o.kind) for o in b.organisations], dtype=np.int8)
        old = where < old_n
        if bool((kind[where[old]] != kinds[old]).any()):
            kind = kind.copy()  # a kind changed: never in place under an older snapshot
        kind[where] = kinds  # else only new positions, past every older snapshot's end

    def keys_of(buyers: list[str], sellers: list[str]) -> np.ndarray:
        if not buyers:
            return np.zeros(0, dtype=np.int64)
        return pair_key(lookup.positions_of(buyers), lookup.positions_of(sellers))

    # SOURCES_FROM: empty rows for the new organisations, the new pairs added, the
    # unlinked taken out.
    indptr, indices = p.indptr[: old_n + 1], p.indices  # the new rows come below
    same_edges = not b.sourcing and not change.unlinked
    if not same_edges:
        sourced = keys_of([r.buyer for r in b.sourcing], [r.seller for r in b.sourcing])
        grown = None if change.unlinked else _grown(indptr, indices, sourced, n)
        if grown is not None:
            indptr, indices = grown
        else:
            keys = united(edge_keys(indptr, indices), sourced)
            if change.unlinked:
                gone = keys_of([u[0] for u in change.unlinked], [u[1] for u in change.unlinked])
                keys = keys[~np.isin(keys, gone)]
            indptr, indices = csr(keys, n)
    if len(indptr) < n + 1:  # no edge changed: the new rows appended, empty, no copy
        empty = np.full(n + 1 - len(indptr), indptr[-1], dtype=indptr.dtype)
        indptr = growing.appended(indptr, empty)  # an empty projection's is [0, 0]

    pass_pairs: dict[str, np.ndarray] = {}
    by_requirement: dict[str, list[PassOn]] = {}
    for row in b.pass_on:
        by_requirement.setdefault(row.requirement, []).append(row)
    for r in sorted({*p.pass_pairs, *by_requirement}):
        rows = by_requirement.get(r, [])
        old = p.pass_pairs.get(r, NO_PAIRS)
        new = keys_of([row.buyer for row in rows], [row.seller for row in rows])
        pass_pairs[r] = united(old, new) if rows else old
    # The edge numbers passed along (Projection.passed) are made when asked; carried
    # over only when made already and no edge moved (then O(new pass-ons)).
    made = p.__dict__.get("passed") if same_edges else None
    passed: dict[str, np.ndarray] | None = None
    if made is not None:
        passed = dict(made)
        for r in by_requirement:
            old = p.pass_pairs.get(r, NO_PAIRS)
            passed[r] = _passed_with(passed.get(r, NO_PAIRS), indptr, indices, pass_pairs[r], old)
    adopters: dict[str, np.ndarray] = {}
    for r in sorted({*p.adopters, *(row.requirement for row in b.adoptions)}):
        old = p.adopters.get(r, np.zeros(0, dtype=np.int32))
        wanted = [row.organisation for row in b.adoptions if row.requirement == r]
        adopters[r] = united(old, lookup.positions_of(wanted)) if wanted else old

    out = Projection(
        change.version,
        ids,
        id_order_,
        kind,
        indptr,
        indices,
        pass_pairs,
        adopters,
        _audits(p.audits, change, lookup),
        {},
        renumbered_as(p.numbering, new_ids) if len(new_ids) else p.numbering,
        noted,
        index,
    )
    if passed is not None:
        out.__dict__["passed"] = passed  # Projection.passed, made already
    return out


def _passed_with(
    before: np.ndarray, indptr: np.ndarray, indices: np.ndarray, pairs: np.ndarray, old: np.ndarray
) -> np.ndarray:
    """A requirement's edge numbers passed along (no edge moved) after its pass-ons went
    from `old` pairs to `pairs`: those before and the edges of the new pairs."""
    new = pairs[~contains(old, pairs)] if len(old) else pairs
    found = find_edges(indptr, indices, new)
    return united(before, found) if len(found) else before


def renumbered_as(numbering: str, appended: np.ndarray) -> str:
    """The numbering after `appended` ids took the next positions."""
    digest = hashlib.sha1(numbering.encode(), usedforsecurity=False)
    digest.update("\n".join(appended.tolist()).encode())
    return digest.hexdigest()[:20]


def find_edges(indptr: np.ndarray, indices: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """The edge numbers (sorted) of the pairs (pair keys) that are SOURCES_FROM edges,
    each searched in its buyer's row: no key for every edge made."""
    if len(pairs) > SPLICE_MOST:
        return edges_along(edge_keys(indptr, indices), pairs)
    found = []
    for key in pairs.tolist():
        buyer, seller = key >> 32, key & 0xFFFFFFFF
        if buyer + 1 >= len(indptr):
            continue  # no row: no edge
        at, there = in_row(indices, int(indptr[buyer]), int(indptr[buyer + 1]), seller)
        if there:
            found.append(at)
    return distinct(np.array(found, dtype=np.int64))


ROW_LISTED_MOST = 64  # a row of more sellers is searched by numpy


def in_row(indices: np.ndarray, start: int, end: int, seller: int) -> tuple[int, bool]:
    """Where `seller` is or would go in the sorted row indices[start:end], and whether
    it is there: a short row (most are) as a list, a long one by numpy's search."""
    if end - start <= ROW_LISTED_MOST:
        row = indices[start:end].tolist()
        at = bisect.bisect_left(row, seller)
        return start + at, at < len(row) and row[at] == seller
    at = start + int(np.searchsorted(indices[start:end], seller))
    return at, at < end and int(indices[at]) == seller


def _grown(
    indptr: np.ndarray, indices: np.ndarray, sourced: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """SOURCES_FROM over `n` organisations after a few edges were added, the new
    sellers spliced into their buyers' rows instead of the CSR rebuilt from every
    pair key: (indptr, indices); None for many (rebuild then). `indptr` may have fewer rows than `n` (the new organisations':
    empty) and is never changed."""
    if len(sourced) > SPLICE_MOST:
        return None
    rows = len(indptr) - 1
    where, sellers, buyers = [], [], []
    for key in distinct(sourced).tolist():
        buyer, seller = key >> 32, key & 0xFFFFFFFF
        if buyer < rows:
            at, there = in_row(indices, int(indptr[buyer]), int(indptr[buyer + 1]), seller)
            if there:
                continue  # another commodity on a pair already linked
        else:  # a new organisation's row: empty, after every old edge
            at = int(indptr[-1])
        where.append(at)
        sellers.append(seller)
        buyers.append(buyer)
    if not where:
        return indptr, indices
    indices = spliced(indices, np.array(where, dtype=np.int64), np.array(sellers, dtype=np.int32))
    return bumped(indptr, n, sorted(buyers)), indices


def bumped(indptr: np.ndarray, n: int, buyers: list[int]) -> np.ndarray:
    """CSR offsets over `n` rows after one edge was added to the row of each of
    `buyers` (sorted, repeated per edge): `indptr`'s offsets (rows past its end:
    empty) plus the edges added before each row, in one pass (not a copy and then a
    pass per buyer over the rows after it)."""
    rows = len(indptr) - 1
    out = np.empty(n + 1, dtype=indptr.dtype)
    out[rows + 1 :] = indptr[rows]
    start, add = 0, 0
    for stop in [*(b + 1 for b in buyers), n + 1]:
        if start < stop:
            old_stop = min(stop, rows + 1)
            if start < old_stop:
                np.add(indptr[start:old_stop], add, out=out[start:old_stop])
            if max(start, rows + 1) < stop:
                out[max(start, rows + 1) : stop] += add
        start, add = max(start, stop), add + 1
    return out


def share_keys(audits: np.ndarray, members: np.ndarray) -> np.ndarray:
    """One int64 per (audit position, member position): pair_key's layout."""
    return pair_key(audits, members)


def _audits(a: Audits, change: GraphChange, orgs: Projection) -> Audits:
    """The audit columns with the change's audits, shares and findings merged in, and
    its removed shares taken out (`orgs`: the new organisation positions)."""
    b = change.batch
    if not (b.audits or b.shares or b.findings or change.unshared):
        return a  # the usual write (a registration, a pass-on): nothing moves
    ids = orgs.positions_of
    incoming = np.array([x.id for x in b.audits], dtype=str)
    audit_ids, shift = merged(a.ids, incoming)  # shift: old audit position -> new
    size = len(audit_ids)
    schemes = list(a.schemes)
    schemes += sorted({x.scheme for x in b.audits} - set(schemes))
    cols: dict[str, np.ndarray] = {}
    for name, dtype in (("organisation", np.int32), ("scheme", np.int32), ("start", np.int32),
                        ("until", np.int32), ("commissioner", np.int32), ("to_all", bool)):  # fmt: skip
        cols[name] = np.zeros(size, dtype=dtype)
        old = getattr(a, name)
        cols[name][shift] = old
    if b.audits:
        where = np.searchsorted(audit_ids, incoming)  # a later row for the same id wins
        cols["organisation"][where] = ids([x.organisation for x in b.audits])
        cols["scheme"][where] = [schemes.index(x.scheme) for x in b.audits]
        cols["start"][where] = days([x.audit_date.isoformat() for x in b.audits])
        cols["until"][where] = days([x.valid_until.isoformat() for x in b.audits])
        cols["commissioner"][where] = ids([x.commissioned_by for x in b.audits])
        cols["to_all"][where] = [bool(x.shared_with_all) for x in b.audits]

    old_audit, old_member = shift[a.share_audit], a.share_member
    if change.unshared:  # out before the batch's shares come in (a share given back stays)
        gone = share_keys(
            positions_of(audit_ids, [u[0] for u in change.unshared]),
            ids([u[1] for u in change.unshared]),
        )
        kept = ~np.isin(share_keys(old_audit, old_member), gone)
        old_audit, old_member = old_audit[kept], old_member[kept]
    share_audit = np.concatenate([old_audit, positions_of(audit_ids, [s.audit for s in b.shares])])
    share_member = np.concatenate([old_member, ids([s.member for s in b.shares])])
    if b.shares:  # a share written again is one share
        audits_, members_ = pair_parts(distinct(share_keys(share_audit, share_member)))
        share_audit, share_member = audits_.astype(np.int32), members_.astype(np.int32)

    # Open findings by id: an incoming row replaces the old one, and stays if open.
    touched = {f.id for f in b.findings}
    keep = np.ones(len(a.finding_ids), dtype=bool)
    if touched:  # few: a set beats sorting every open finding's id
        keep = np.fromiter((f not in touched for f in a.finding_ids.tolist()), bool)
    opened = [f for f in {f.id: f for f in b.findings}.values() if f.status == FindingStatus.OPEN]
    finding_ids = np.concatenate([a.finding_ids[keep], np.array([f.id for f in opened], str)])
    finding_audit = np.concatenate(
        [shift[a.finding_audit[keep]], positions_of(audit_ids, [f.audit for f in opened])]
    )
    finding_critical = np.concatenate(
        [
            a.finding_critical[keep],
            np.array([f.severity == Severity.CRITICAL for f in opened], bool),
        ]
    )
    finding_due = np.concatenate(
        [
            a.finding_due[keep],
            due_or_none([f.due_date.isoformat() if f.due_date else None for f in opened]),
        ]
    )
    open_critical, earliest_due = finding_aggregates(
        size, finding_audit, finding_critical, finding_due
    )
    return replace(
        a,
        ids=audit_ids,
        schemes=schemes,
        share_audit=share_audit,
        share_member=share_member,
        finding_ids=finding_ids,
        finding_audit=finding_audit,
        finding_critical=finding_critical,
        finding_due=finding_due,
        open_critical=open_critical,
        earliest_due=earliest_due,
        **cols,
    )
