"""The risk model of DOMAIN.md "Network risk", over a member's view.

Per position of the cascade's projection: each component in [0, 1] and the score
in [0, 100] for the nodes of the member's network (NaN elsewhere, the member
itself included: DOMAIN.md scores its network). Absent components (no table
imported, no requirement) drop out and the others are scaled to sum to 1.
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass
from datetime import date

import numpy as np

from cascade.audits import GAP_REASONS, AuditGapReason
from graph.store import GraphStore
from risk.columns import RiskColumns, risk_columns
from risk.dominators import dominated_counts, immediate_dominators
from risk.goods import goods_component
from risk.tables import RiskTables, TableVersion
from risk.upstream import upstream
from risk.weights import COMPONENTS, Weights, WeightsError
from views.member import MemberView

# DOMAIN.md: the audit component by gap reason (0 when covered).
AUDIT_GAP = {
    AuditGapReason.NO_AUDIT.value: 1.0,
    AuditGapReason.EXPIRED.value: 0.8,
    AuditGapReason.OPEN_CRITICAL_FINDING.value: 0.8,
    AuditGapReason.OVERDUE_FINDING.value: 0.6,
    AuditGapReason.UNRECOGNISED_SCHEME.value: 0.4,
    AuditGapReason.NOT_SHARED.value: 0.2,
}
NO_COUNTRY_TABLE = "no country table imported (tiergraph risk import --countries)"
NO_GOODS_TABLE = "no goods table imported (tiergraph risk import --goods)"
NO_REQUIREMENT = "the member requires nothing"


@dataclass(eq=False)
class MemberRisk:
    member: str
    as_of: date
    score: np.ndarray  # float64 per position, 0..100 on the network, NaN elsewhere
    components: dict[str, np.ndarray | None]  # COMPONENTS order; None when absent
    weights: dict[str, float]  # effective: absent ones 0, the others sum to 1
    configured: dict[str, float]  # as the weights file (or the defaults) says
    decay: float
    tables: dict[str, TableVersion | None]  # "countries", "goods" -> version or None
    absent: dict[str, str]  # component -> why
    country_fallback: np.ndarray  # bool per position: took the table's worst value
    in_network: np.ndarray  # bool per position

    def component(self, name: str) -> np.ndarray | None:
        return self.components[name]


def member_risk(
    view: MemberView, store: GraphStore, as_of: date, tables: RiskTables, weights: Weights
) -> MemberRisk:
    p, net = view.projection, view.network
    inside = net.tier > 0
    comps: dict[str, np.ndarray | None] = dict.fromkeys(COMPONENTS)
    absent: dict[str, str] = {}
    fallback = np.zeros(p.size, dtype=bool)
    columns = risk_columns(p, store)

    if tables.countries is None:
        absent["country"] = NO_COUNTRY_TABLE
    else:
        comps["country"], fallback = _country(columns, inside, tables)
    if tables.goods is None:
        absent["goods"] = NO_GOODS_TABLE
    else:
        comps["goods"] = goods_component(view, columns, tables)
    comps["audit"] = _audit(view, store, as_of)
    required = view.required(store)
    if not required:
        absent["cascade"] = NO_REQUIREMENT
    else:
        comps["cascade"] = _cascade(view, required)

    comps["criticality"] = _criticality(view)

    configured = weights.by_component()
    present = [c for c in COMPONENTS if c not in absent]
    own_names = [c for c in present if c != "upstream"]
    own_total = math.fsum(configured[c] for c in own_names)
    own = np.zeros(p.size)
    for c in own_names:
        if own_total > 0:
            own += configured[c] / own_total * _zeroed(comps[c], inside)
    comps["upstream"] = upstream(p, net, own, weights.decay)

    total = math.fsum(configured[c] for c in present)
    if total <= 0:
        raise WeightsError(f"the components present ({', '.join(present)}) all weigh 0")
    effective = {c: (configured[c] / total if c in present else 0.0) for c in COMPONENTS}
    score = np.zeros(p.size)
    for c in present:
        score += effective[c] * _zeroed(comps[c], inside)
    score = np.where(inside, 100.0 * score, np.nan)
    return MemberRisk(
        member=view.member,
        as_of=as_of,
        score=score,
        components=comps,
        weights=effective,
        configured=configured,
        decay=float(weights.decay),
        tables=tables.versions(),
        absent=absent,
        country_fallback=fallback,
        in_network=inside,
    )


def _zeroed(values: np.ndarray | None, inside: np.ndarray) -> np.ndarray:
    assert values is not None
    return np.where(inside, values, 0.0)


def _country(
    columns: RiskColumns, inside: np.ndarray, tables: RiskTables
) -> tuple[np.ndarray, np.ndarray]:
    table = tables.countries
    assert table is not None
    worst = 1.0 - table.worst
    risk = np.array(
        [1.0 - table.scores[c] if c in table.scores else np.nan for c in columns.countries]
    )
    found = risk[columns.country]
    fallback = inside & np.isnan(found)
    out = np.where(inside, np.where(np.isnan(found), worst, found), np.nan)
    return out, fallback


def _audit(view: MemberView, store: GraphStore, as_of: date) -> np.ndarray:
    status = view.audit_status(store, as_of, include_smallholders=True)
    by_code = np.array([0.0, *(AUDIT_GAP[r.value] for r in GAP_REASONS)])  # covered: 0
    return np.where(view.network.tier > 0, by_code[status.reason_at], np.nan)


def _cascade(view: MemberView, required: list[str]) -> np.ndarray:
    missed = np.zeros(view.projection.size)
    for requirement in required:
        missed += ~view.reached(requirement)
    return np.where(view.network.tier > 0, missed / len(required), np.nan)


# The dominator tree depends on the view alone: kept while the view is.
_criticality_kept: weakref.WeakKeyDictionary[MemberView, np.ndarray] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _criticality(view: MemberView) -> np.ndarray:
    with _lock:
        found = _criticality_kept.get(view)
    if found is None:
        net = view.network
        idom = immediate_dominators(view.projection, net)
        counts = dominated_counts(idom, net)
        size = max(int((net.tier > 0).sum()), 1)
        found = np.where(net.tier > 0, counts / size, np.nan)
        found.flags.writeable = False  # shared by every answer of this view
        with _lock:
            _criticality_kept[view] = found
    return found
