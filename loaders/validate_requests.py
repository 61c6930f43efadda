"""`share_requests` rows checked against each other, the rest of the load and the
store, with the rules of the API's requestShare and answerShareRequest (DOMAIN.md,
"Share requests"): a request is for an audit of a node in the member's network that
the member did not commission; an open one for an audit the member cannot see; at
most one open request per (member, audit); an answer is given once. A row equal to
the stored request changes nothing (loading the same files again writes nothing)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from cascade import projection as projections
from graph.model import Audit, GraphBatch, Sourcing
from graph.store import GraphStore, RequestStatus, ShareRequest
from loaders.read import Problem, RawRow

OPEN = RequestStatus.OPEN


@dataclass
class Requests:
    """The rows to write (answers first, so that a request answered by the load
    frees its (member, audit) for an open one) and those equal to the stored ones."""

    write: list[ShareRequest] = field(default_factory=list)
    unchanged: int = 0


class Networks:
    """Who is in each member's network once the load is written: the stored
    SOURCES_FROM edges plus the load's own."""

    def __init__(self, store: GraphStore, sourcing: Iterable[Sourcing]):
        p = self.projection = projections.current(store)
        rows = list(sourcing)
        # The load's edge ends found in one search (not one per row: 340k rows of a
        # 200k network took 3-4 s), those new to the store numbered after its own.
        ends = [s.buyer for s in rows] + [s.seller for s in rows]
        at, there = p.lookup(ends) if ends else (np.zeros(0), np.zeros(0, dtype=bool))
        at = at.astype(np.int64)
        self.extra: dict[str, int] = {}
        for i in np.flatnonzero(~there).tolist():
            at[i] = self.extra.setdefault(ends[i], p.size + len(self.extra))
        b = np.concatenate(
            [np.repeat(np.arange(p.size, dtype=np.int64), np.diff(p.indptr)), at[: len(rows)]]
        )
        s = np.concatenate([p.indices.astype(np.int64), at[len(rows) :]])
        n = p.size + len(self.extra)
        self.graph = csr_matrix((np.ones(len(b), dtype=np.int8), (b, s)), shape=(n, n))
        self.kept: dict[str, set[int]] = {}

    def _at(self, org: str) -> int:
        at = self.projection.position(org)
        if at is not None and at < self.projection.size:
            return at
        return self.extra.setdefault(org, self.projection.size + len(self.extra))

    def holds(self, member: str, org: str) -> bool:
        if member not in self.kept:
            start = self._at(member)
            if start >= self.graph.shape[0]:  # in no edge at all
                self.kept[member] = set()
            else:
                order = breadth_first_order(self.graph, start, return_predecessors=False)
                self.kept[member] = set(order.tolist()) - {start}
        return self._at(org) in self.kept[member]


def check_requests(
    rows: list[tuple[RawRow, ShareRequest]],
    loaded_audits: dict[str, Audit],
    batch: GraphBatch,
    store: GraphStore,
) -> tuple[Requests, list[Problem]]:
    """The rows' requests with their owners, or the problems of the rows refused."""
    result, problems = Requests(), list[Problem]()
    if not rows:
        return result, problems
    wanted = {v.audit for _, v in rows} - set(loaded_audits)
    audits = {a.id: a for a in store.audits(wanted)} | loaded_audits
    shared = {(a, m) for a, ms in store.shares_of(list(audits)).items() for m in ms}
    shared |= {(s.audit, s.member) for s in batch.shares}
    shared |= {(v.audit, v.member) for _, v in rows if v.status == RequestStatus.GRANTED}
    stored = {r.id: r for r in store.share_requests()}  # people's requests: thousands, not millions
    networks = Networks(store, batch.sourcing)
    first: dict[str, RawRow] = {}
    checked: list[tuple[RawRow, ShareRequest, Audit]] = []
    for raw, value in rows:
        audit = audits[value.audit]
        request = replace(value, owner=audit.organisation)
        why = _problem(request, audit, stored.get(request.id), first, raw, networks)
        if why is not None:
            problems.append(raw.problem(*why))
            continue
        first[request.id] = raw
        checked.append((raw, request, audit))
    # One open request per (member, audit): the stored ones the load does not rewrite,
    # then the load's own, in order (a rejected row leaves its stored request as it is).
    rewritten = {r.id for _, r, _ in checked}
    open_now = {
        (r.member, r.audit): r.id
        for r in stored.values()
        if r.status == OPEN and r.id not in rewritten
    }
    accepted: list[ShareRequest] = []
    for raw, request, audit in checked:
        if request.status == OPEN:
            pair = (request.member, request.audit)
            if pair in open_now:
                why = ("status", f"{request.member!r} has an open request {open_now[pair]!r} "
                       "for this audit already: at most one is open")  # fmt: skip
                problems.append(raw.problem(*why))
                continue
            if (request.audit, request.member) in shared or audit.shared_with_all:
                why = ("audit", f"{request.member!r} sees this audit already: nothing to request")
                problems.append(raw.problem(*why))
                continue
            open_now[pair] = request.id
        kept = stored.get(request.id)
        if kept is not None and _same(kept, request):
            result.unchanged += 1
        else:
            accepted.append(request)
    result.write = sorted(accepted, key=lambda r: r.status == OPEN)
    return result, sorted(problems, key=lambda p: (p.file, p.line or 0))


def _problem(
    request: ShareRequest,
    audit: Audit,
    kept: ShareRequest | None,
    first: dict[str, RawRow],
    raw: RawRow,
    networks: Networks,
) -> tuple[str, str] | None:
    if request.id in first:
        where = first[request.id]
        line = f"{where.file}:{where.line}" if where.file != raw.file else f"line {where.line}"
        return "id", f"duplicate of {line}"
    if kept is not None and (kept.member, kept.audit) != (request.member, request.audit):
        return "id", (
            f"stored request {kept.id!r} is the request of member {kept.member!r} for audit"
            f" {kept.audit!r} (this row: member {request.member!r}, audit {request.audit!r}):"
            " its member and audit cannot change"
        )
    if kept is not None and kept.status != OPEN and not _same(kept, request):
        return "status", f"stored as {kept.status} at {kept.answered_at}: answered once"
    if audit.commissioned_by == request.member:
        return (
            "audit",
            f"commissioned by {request.member!r}, which always sees it: nothing to request",
        )
    if not networks.holds(request.member, audit.organisation):
        return "audit", (
            f"covers {audit.organisation!r}, which is not in the network of {request.member!r}: "
            "a member asks for audits of its own network"
        )
    return None


def _same(a: ShareRequest, b: ShareRequest) -> bool:
    """The same request and answer (who wrote it aside)."""
    keep = ("requested_by", "answered_by")
    return replace(a, **{k: None for k in keep}) == replace(b, **{k: None for k in keep})  # type: ignore[arg-type]
