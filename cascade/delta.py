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

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from cascade.projection import (
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
    positions_of,
    shifted,
    spliced,
)
from graph.model import FindingStatus, GraphBatch, Severity
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


FEW_POINTS = 4  # insertion points up to which positions move by comparisons, not a gather


def moved_to(values: np.ndarray, moved: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Old positions (int) in the numbering after insertions before `points`: moved[values],
    or for a few points one comparison per point (a write adds one organisation or
    two: 0.3 ms for 340,000 values against 1.2 ms for the gather)."""
    if len(points) > FEW_POINTS:
        return moved[values]
    out = values.copy()
    for at in points.tolist():
        out += values >= at
    return out


def _apply_one(p: Projection, change: GraphChange) -> Projection:
    b = change.batch
    old_n = p.size
    # Organisations: new ids take their place in id order, everything else moves up
    # (`points`: where the new ones went, as np.insert takes them).
    new_ids, points = _lacking(p.ids, np.array([o.id for o in b.organisations], dtype=str))
    if len(new_ids):
        ids = spliced(p.ids, points, new_ids)
        moved = shifted(old_n, points).astype(np.int32)
        kind = spliced(p.kind, points, np.zeros(len(new_ids), dtype=np.int8))
    else:  # the kinds copied only when a row may change one
        ids, moved = p.ids, np.arange(old_n, dtype=np.int32)
        kind = p.kind.copy() if b.organisations else p.kind
    n = len(ids)
    for o in b.organisations:
        kind[np.searchsorted(ids, o.id)] = KIND_ORDER.index(o.kind)

    def keys_of(buyers: list[str], sellers: list[str]) -> np.ndarray:
        if not buyers:
            return np.zeros(0, dtype=np.int64)
        return positions_of(ids, buyers).astype(np.int64) * n + positions_of(ids, sellers)

    def move(old: np.ndarray) -> np.ndarray:
        """Organisation positions of the old numbering in the new one."""
        return old if n == old_n else moved_to(old, moved, points)

    def moved_keys(old: np.ndarray) -> np.ndarray:
        """Pair keys of the old numbering in the new one (as they were: no new id)."""
        if n == old_n:
            return old
        buyers, sellers = np.divmod(old, old_n)
        return moved_to(buyers, moved, points) * n + moved_to(sellers, moved, points)

    # SOURCES_FROM: the old pairs moved, the new added, the unlinked taken out.
    same_edges = n == old_n and not b.sourcing and not change.unlinked
    indptr, indices = p.indptr, p.indices
    renumbered: np.ndarray | None = None  # old edge number -> new, while no edge went
    added = np.zeros(0, dtype=np.int64)  # edge numbers of the new edges
    keys: np.ndarray | None = None  # every edge's pair key, when it was worth making
    if not same_edges:
        sourced = keys_of([r.buyer for r in b.sourcing], [r.seller for r in b.sourcing])
        grown = None if change.unlinked else _grown(p, points, moved, n, sourced)
        if grown is not None:
            indptr, indices, renumbered, added = grown
        else:
            keys = moved_keys(edge_keys(indptr, indices, old_n))
            keys, renumbered = merged(keys, sourced)
            if len(keys) > len(renumbered):
                fresh = np.ones(len(keys), dtype=bool)
                fresh[renumbered] = False
                added = np.flatnonzero(fresh)
            if change.unlinked:
                gone = keys_of([u[0] for u in change.unlinked], [u[1] for u in change.unlinked])
                keys = keys[~np.isin(keys, gone)]
                renumbered = None
            indptr, indices = csr(keys, n)

    def edges_of(pairs: np.ndarray) -> np.ndarray:
        return edges_along(keys, pairs) if keys is not None else find_edges(indptr, indices, pairs)

    pass_pairs: dict[str, np.ndarray] = {}
    passed: dict[str, np.ndarray] = {}
    added_keys = _keys_at(indptr, indices, added, n)
    for r in sorted({*p.pass_pairs, *(row.requirement for row in b.pass_on)}):
        rows = [row for row in b.pass_on if row.requirement == r]
        if same_edges and not rows:  # nothing moved, nothing new: as it was
            pass_pairs[r], passed[r] = p.pass_pairs[r], p.passed[r]
            continue
        old = moved_keys(p.pass_pairs.get(r, np.zeros(0, dtype=np.int64)))
        new = keys_of([row.buyer for row in rows], [row.seller for row in rows])
        pass_pairs[r] = united(old, new)
        if not same_edges and renumbered is None:  # edges went: look every pair up
            assert keys is not None
            passed[r] = edges_along(keys, pass_pairs[r])
            continue
        # The old edges passed along keep their pass (renumbered), the new pass-ons
        # along edges join, and so do new edges along pairs passed on before.
        before = p.passed.get(r, np.zeros(0, dtype=np.int64))
        kept = (before if renumbered is None else renumbered[before]).astype(np.int64)
        found = [edges_of(new)]
        if len(added):
            found.append(added[contains(pass_pairs[r], added_keys)])
        passed[r] = united(kept, np.concatenate(found).astype(np.int64))
    adopters: dict[str, np.ndarray] = {}
    for r in sorted({*p.adopters, *(row.requirement for row in b.adoptions)}):
        old = move(p.adopters.get(r, np.zeros(0, dtype=np.int32)))
        new = positions_of(ids, [row.organisation for row in b.adoptions if row.requirement == r])
        adopters[r] = united(old, new)

    return Projection(
        change.version,
        ids,
        kind,
        indptr,
        indices,
        passed,
        pass_pairs,
        adopters,
        _audits(p.audits, change, ids, move, n != old_n),
        {},
    )


def find_edges(indptr: np.ndarray, indices: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """The edge numbers (sorted) of the pairs (pair keys) that are SOURCES_FROM edges,
    each searched in its buyer's row: no key for every edge made."""
    n = len(indptr) - 1
    if len(pairs) > SPLICE_MOST:
        return edges_along(edge_keys(indptr, indices, n), pairs)
    found = []
    for key in pairs.tolist():
        buyer, seller = divmod(key, n)
        start, end = int(indptr[buyer]), int(indptr[buyer + 1])
        at = start + int(np.searchsorted(indices[start:end], seller))
        if at < end and indices[at] == seller:
            found.append(at)
    return distinct(np.array(found, dtype=np.int64))


def _keys_at(indptr: np.ndarray, indices: np.ndarray, edges: np.ndarray, n: int) -> np.ndarray:
    """The pair keys of a few edges."""
    buyers = np.searchsorted(indptr, edges, side="right") - 1
    return buyers.astype(np.int64) * n + indices[edges]


def _grown(
    p: Projection, points: np.ndarray, moved: np.ndarray, n: int, sourced: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """SOURCES_FROM after a few organisations and edges were added, spliced into the
    CSR arrays (empty rows for the new organisations, inserted before the old
    positions `points`; the new sellers in their buyers' rows) instead of rebuilt
    from every pair key: (indptr, indices, old edge number -> new, the new edges'
    numbers); None for many (rebuild then)."""
    if len(points) > SPLICE_MOST or len(sourced) > SPLICE_MOST:
        return None
    indptr, indices = p.indptr, p.indices
    if len(points):
        indptr = spliced(indptr, points, indptr[points])
        indices = moved_to(indices, moved, points)
    where, sellers, buyers = [], [], []
    for key in distinct(sourced).tolist():
        buyer, seller = divmod(key, n)
        start, end = int(indptr[buyer]), int(indptr[buyer + 1])
        at = start + int(np.searchsorted(indices[start:end], seller))
        if at < end and indices[at] == seller:
            continue  # another commodity on a pair already linked
        where.append(at)
        sellers.append(seller)
        buyers.append(buyer)
    at_ = np.array(where, dtype=np.int64)
    if len(at_):
        indices = spliced(indices, at_, np.array(sellers, dtype=np.int32))
        shift = np.cumsum(np.bincount(np.array(buyers, dtype=np.int64), minlength=n))
        indptr = indptr + np.concatenate(([0], shift))
    renumbered = shifted(len(p.indices), at_)
    return indptr, indices, renumbered, at_ + np.arange(len(at_))


def share_keys(audits: np.ndarray, members: np.ndarray, n: int) -> np.ndarray:
    """One int64 per (audit position, member position)."""
    return audits.astype(np.int64) * n + members


def _audits(
    a: Audits,
    change: GraphChange,
    ids: np.ndarray,
    move: Callable[[np.ndarray], np.ndarray],
    grew: bool,
) -> Audits:
    """The audit columns with the change's audits, shares and findings merged in, and
    its removed shares taken out (`move`: old organisation positions to new; `grew`:
    whether organisations were added, so that positions move at all)."""
    b = change.batch
    if not (b.audits or b.shares or b.findings or change.unshared):
        # The usual write (a registration, a pass-on): audits stay where they are, and
        # only organisation positions move (not at all when none was added).
        if not grew:
            return a
        return replace(
            a,
            organisation=move(a.organisation),
            commissioner=move(a.commissioner),
            share_member=move(a.share_member),
        )
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
        cols[name][shift] = move(old) if name in ("organisation", "commissioner") else old
    if b.audits:
        where = np.searchsorted(audit_ids, incoming)  # a later row for the same id wins
        cols["organisation"][where] = positions_of(ids, [x.organisation for x in b.audits])
        cols["scheme"][where] = [schemes.index(x.scheme) for x in b.audits]
        cols["start"][where] = days([x.audit_date.isoformat() for x in b.audits])
        cols["until"][where] = days([x.valid_until.isoformat() for x in b.audits])
        cols["commissioner"][where] = positions_of(ids, [x.commissioned_by for x in b.audits])
        cols["to_all"][where] = [bool(x.shared_with_all) for x in b.audits]

    old_audit, old_member = shift[a.share_audit], move(a.share_member)
    if change.unshared:  # out before the batch's shares come in (a share given back stays)
        gone = share_keys(
            positions_of(audit_ids, [u[0] for u in change.unshared]),
            positions_of(ids, [u[1] for u in change.unshared]),
            len(ids),
        )
        kept = ~np.isin(share_keys(old_audit, old_member, len(ids)), gone)
        old_audit, old_member = old_audit[kept], old_member[kept]
    share_audit = np.concatenate([old_audit, positions_of(audit_ids, [s.audit for s in b.shares])])
    share_member = np.concatenate([old_member, positions_of(ids, [s.member for s in b.shares])])
    if b.shares:  # a share written again is one share
        pairs = distinct(share_keys(share_audit, share_member, len(ids)))
        share_audit = (pairs // len(ids)).astype(np.int32)
        share_member = (pairs % len(ids)).astype(np.int32)

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
