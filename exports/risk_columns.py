"""The risk columns of an export: the one place that asks the risk model
(risk.model.member_risk) for a member's scores and their components."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from graph.store import GraphStore

if TYPE_CHECKING:
    from views.member import MemberView

# The components in DOMAIN.md's order: each is a column `risk_<name>`.
COMPONENTS = ("country", "goods", "audit", "cascade", "upstream", "criticality")


@dataclass(frozen=True)
class RiskColumns:
    """Per position: `risk_score` (0..100) and one `risk_<component>` (0..1) per
    component, NaN where there is no value (outside the network, or a component
    that is absent); the weights used, the tables' versions, the absent
    components with the reason."""

    columns: dict[str, np.ndarray]
    weights: dict[str, float]
    tables: dict[str, Any]
    absent: dict[str, str]


def risk_columns(view: MemberView, store: GraphStore, as_of: date) -> RiskColumns | None:
    """The member's risk on the day; None where this build has no risk model."""
    try:
        from risk.model import member_risk
    except ImportError:
        return None
    return _from_model(member_risk, view, store, as_of)


def _from_model(member_risk: Any, view: MemberView, store: GraphStore, as_of: date) -> RiskColumns:
    raise NotImplementedError  # wired when the risk model is merged
