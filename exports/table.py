"""A member's network as an export's two tables, nodes and edges (docs/exports.md).

What every row needs is computed once on the projection, as arrays by position
(tier, kind, each requirement reached or not, the audit status on the day, the
risk columns); the rows themselves are made a chunk at a time, with one bulk
store read per chunk for names and countries (nodes) or commodities (edges), so
that memory stays flat in the network's size: no chunk outlives its writing.

Nodes: the member first (tier 0), then its network by tier, then id (the order
of the API's `network` pages). Edges: every SOURCES_FROM pair out of the member
or a node of its network (all such sellers are in the network), by buyer id then
seller id, one row per pair with its commodities.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from cascade.audits import GAP_REASONS
from cascade.engine import walked
from cascade.projection import Projection
from exports.risk_columns import FALLBACK, RiskColumns, risk_columns
from graph.store import KIND_ORDER, GraphStore
from risk.columns import RiskColumns as ForumColumns
from risk.columns import risk_columns as forum_columns
from views.member import MemberView

CHUNK_ROWS = 50_000
# The gap reason of each position, as an index into REASONS (the audit status's
# codes, cascade.audits.GAP_REASONS); 0: none (covered, or the member itself).
REASONS: list[str | None] = [None, *(r.value for r in GAP_REASONS)]
KINDS = [k.value for k in KIND_ORDER]


@dataclass
class NodeChunk:
    """Consecutive node rows, as columns; None where a value does not apply (the
    member's own reach, audit and risk: it is not part of its network)."""

    ids: list[str]
    names: list[str]
    countries: list[str]
    kinds: list[str]
    tiers: list[int]
    reached: dict[str, list[bool | None]]  # requirement -> per row
    covered: list[bool | None]
    reasons: list[str | None]
    risk: dict[str, list[float | None]] = field(default_factory=dict)  # column -> per row

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class EdgeChunk:
    """Consecutive edge rows; each row's commodities are vocabulary[c] for c in
    codes[first:last] (sorted; none if the store did not hold the pair)."""

    sources: list[str]  # buyer ids
    targets: list[str]  # seller ids
    codes: np.ndarray  # int32 commodity indexes, rows' runs between first and last
    vocabulary: list[str]  # commodity names by index, sorted
    first: np.ndarray  # int64 per row
    last: np.ndarray  # int64 per row

    def __len__(self) -> int:
        return len(self.sources)

    @property
    def commodities(self) -> list[list[str]]:
        """Per row, its commodities as a list (JSON Lines): rows of one taken whole
        (a slice and a loop per row cost 2.7 times as much)."""
        count = self.last - self.first
        if not len(self.codes):
            return [[] for _ in range(len(self))]
        names = np.array(self.vocabulary, dtype=object)
        one = names[self.codes[np.minimum(self.first, len(self.codes) - 1)]].tolist()
        out = [[name] for name in one]
        for i in np.flatnonzero(count != 1).tolist():
            out[i] = [self.vocabulary[c] for c in self.codes[self.first[i] : self.last[i]].tolist()]
        return out

    def joined(self, separator: str) -> list[str]:
        """Per row, its commodities joined by `separator` (CSV, GraphML): most rows
        hold one, taken as it is without a list per row (a million lists cost a
        second and a half)."""
        if not len(self.codes):
            return [""] * len(self)
        count = self.last - self.first
        names = np.array([*self.vocabulary, ""], dtype=object)  # the last: a row with none
        one = np.where(count == 1, self.codes[np.minimum(self.first, len(self.codes) - 1)], -1)
        out = names[one]
        for i in np.flatnonzero(count > 1).tolist():
            codes = self.codes[self.first[i] : self.last[i]].tolist()
            out[i] = separator.join(self.vocabulary[c] for c in codes)
        return list(out.tolist())


@dataclass
class ExportTable:
    member: str
    member_name: str
    as_of: date
    requirements: list[str]
    view: MemberView
    store: GraphStore
    reached: dict[str, np.ndarray]  # requirement -> bool per position
    covered: np.ndarray  # bool per position
    reason: np.ndarray  # int8 per position, index into REASONS
    risk: RiskColumns
    sourcing: ForumColumns  # every edge's commodity, read with the risk model

    @property
    def projection(self) -> Projection:
        return self.view.projection

    @property
    def node_count(self) -> int:
        return int(self.view.visible.sum())

    @property
    def edge_count(self) -> int:
        buyers = np.flatnonzero(self.view.visible)
        p = self.projection
        return int((p.indptr[buyers + 1] - p.indptr[buyers]).sum())

    def header(self) -> dict[str, Any]:
        """What the export is about (the JSON Lines header, GraphML's graph data,
        the CSV archive's about.csv)."""
        risk = self.risk
        return {
            "format_version": FORMAT_VERSION,
            "member": self.member,
            "member_name": self.member_name,
            "as_of": self.as_of.isoformat(),
            "requirements": self.requirements,
            "nodes": self.node_count,
            "edges": self.edge_count,
            "risk_weights": risk.weights,
            "risk_decay": risk.decay,
            "risk_tables": risk.tables,
            "risk_absent": risk.absent,
        }

    # ---- rows, a chunk at a time ------------------------------------------------
    def node_order(self) -> np.ndarray:
        return np.r_[np.int64(self.view.network.member), self.view.by_tier.astype(np.int64)]

    def node_chunks(self, rows: int = CHUNK_ROWS) -> Iterator[NodeChunk]:
        order = self.node_order()
        for start in range(0, len(order), rows):
            yield self._nodes(order[start : start + rows])

    def _nodes(self, at: np.ndarray) -> NodeChunk:
        p, member = self.projection, self.view.network.member
        ids = p.ids[at].tolist()
        found_ids, names, countries = self.store.label_columns(ids)
        label = dict(zip(found_ids, zip(names, countries, strict=True), strict=True))
        blank = ("", "")
        labels = [label.get(i, blank) for i in ids]  # gone since the projection: blank
        is_member = at == member

        def masked(values: list[Any]) -> list[Any]:
            if is_member.any():
                for i in np.flatnonzero(is_member).tolist():
                    values[i] = None
            return values

        chunk = NodeChunk(
            ids=ids,
            names=[n for n, _ in labels],
            countries=[c for _, c in labels],
            kinds=[KINDS[k] for k in p.kind[at].tolist()],
            tiers=self.view.network.tier[at].tolist(),
            reached={r: masked(self.reached[r][at].tolist()) for r in self.requirements},
            covered=masked(self.covered[at].tolist()),
            reasons=[REASONS[r] for r in self.reason[at].tolist()],
        )
        for name, values in self.risk.columns.items():
            column = values[at].astype(object)
            column[np.isnan(values[at])] = None
            chunk.risk[name] = column.tolist()
        chunk.risk[FALLBACK] = masked(self.risk.fallback[at].tolist())
        return chunk

    def edge_chunks(self, rows: int = CHUNK_ROWS) -> Iterator[EdgeChunk]:
        """Edges by buyer id, whole buyers per chunk (a chunk may exceed `rows` by one
        buyer's edges)."""
        p = self.projection
        buyers = p.by_id(np.flatnonzero(self.view.visible))  # positions are not in id order
        counts = p.indptr[buyers + 1] - p.indptr[buyers]
        buyers, counts = buyers[counts > 0], counts[counts > 0]
        ends = np.cumsum(counts)
        start = 0
        while start < len(buyers):
            before = ends[start - 1] if start else 0
            stop = int(np.searchsorted(ends, before + rows, side="left")) + 1
            yield self._edges(buyers[start:stop])
            start = stop

    def _edges(self, buyers: np.ndarray) -> EdgeChunk:
        """The chunk's edges with their commodities as the risk model read them with
        the projection (every edge's, by buyer position: one slice per chunk); no
        store read."""
        p, sourcing = self.projection, self.sourcing
        n = np.int64(max(p.size, 1))
        edges, of = p.out_edges(buyers)
        sellers = p.indices[edges]
        by_id = np.lexsort((p.rank[sellers], p.rank[of]))  # by buyer id, then seller id
        edges, of, sellers = edges[by_id], of[by_id], sellers[by_id]
        lo = int(np.searchsorted(sourcing.buyer, buyers.min(), side="left"))
        hi = int(np.searchsorted(sourcing.buyer, buyers.max(), side="right"))
        keys = sourcing.buyer[lo:hi].astype(np.int64) * n + sourcing.seller[lo:hi]
        wanted = of.astype(np.int64) * n + sellers  # the chunk's edges (searched, any order)
        return EdgeChunk(
            sources=p.ids[of].tolist(),
            targets=p.ids[sellers].tolist(),
            codes=sourcing.commodity[lo:hi],
            vocabulary=sourcing.commodities,
            first=np.searchsorted(keys, wanted, side="left"),
            last=np.searchsorted(keys, wanted, side="right"),
        )


FORMAT_VERSION = 1


def export_table(
    store: GraphStore, projection: Projection, member: str, as_of: date
) -> ExportTable:
    """The member's export on the day, on `projection` (a member of it: checked by
    the caller)."""
    view = MemberView(member, projection, walked(projection, member))
    requirements = view.required(store)
    status = view.audit_status(store, as_of, True)  # smallholders too: every node has a status
    names = store.label_columns([member])[1]
    table = ExportTable(
        member=member,
        member_name=names[0] if names else "",
        as_of=as_of,
        requirements=requirements,
        view=view,
        store=store,
        reached={r: view.reached(r) for r in requirements},
        covered=status.covered_at,
        reason=status.reason_at,
        risk=risk_columns(view, store, as_of),
        sourcing=forum_columns(projection, store),  # kept per projection: read already
    )
    give_back_freed_memory()
    return table


def give_back_freed_memory() -> None:
    """Return the heap the walk, audit status and risk model freed to the system
    before the rows are written. glibc keeps freed arrays of a few MB in its heap
    (its mmap threshold rises after the first large free), and Python's objects
    come from arenas of their own, so the rows never reused it: at a million
    organisations the write's peak stood 100 MB above what the table holds."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to give back this way
        pass
