"""The risk columns of an export: the one place that asks the risk model
(risk.model.member_risk, docs/risk.md) for a member's scores and components."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.store import GraphStore

if TYPE_CHECKING:
    from views.member import MemberView

SCORE = "risk_score"
FALLBACK = "risk_country_fallback"  # a flag: the node took the country table's worst value


@dataclass(frozen=True)
class RiskColumns:
    """Per position: `risk_score` (0..100) and `risk_<component>` (0..1) in the
    model's order, NaN where there is no value (outside the network, or an absent
    component); `risk_country_fallback` as a flag; the effective weights, the
    upstream decay, the tables' versions and the absent components with why."""

    columns: dict[str, np.ndarray]
    fallback: np.ndarray  # bool per position
    weights: dict[str, float]
    decay: float
    tables: dict[str, Any]
    absent: dict[str, str]

    @property
    def names(self) -> list[str]:
        return [*self.columns, FALLBACK]


def risk_columns(view: MemberView, store: GraphStore, as_of: date) -> RiskColumns:
    """The member's risk on the day, with the configured weights (TIERGRAPH_RISK_WEIGHTS)
    and the tables kept in the store."""
    from risk.model import member_risk
    from risk.service import configured_weights, settings_checked
    from risk.tables import load_tables

    with settings_checked():  # a weights or alias file that cannot be used: BadSetting
        risk = member_risk(view, store, as_of, load_tables(store), configured_weights())
    nothing = np.full(view.projection.size, np.nan)
    columns = {SCORE: risk.score}
    for name, values in risk.components.items():
        columns[f"risk_{name}"] = nothing if values is None else values
    return RiskColumns(
        columns=columns,
        fallback=risk.country_fallback,
        weights=dict(risk.weights),
        decay=risk.decay,
        tables={k: (v.as_dict() if v is not None else None) for k, v in risk.tables.items()},
        absent=dict(risk.absent),
    )
