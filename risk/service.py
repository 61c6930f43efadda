"""The risk service: a member's network risk for its sourcing and analyst keys.

Forbidden for every other role (as views.member.member_view refuses them); the
member is the key's own, so another member's network is never asked for.
The answer's JSON shape is stable (docs/cli.md `risk show`, docs/api.md `risk`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from access.errors import BadUserInput, ServiceError
from access.principal import Principal
from graph.store import GraphStore
from risk.columns import risk_columns
from risk.commodities import AliasesError, load_aliases
from risk.model import MemberRisk, member_risk
from risk.tables import RiskTables, load_tables
from risk.weights import COMPONENTS, Weights, WeightsError, load_weights
from views.member import member_view

DEFAULT_TOP = 20
MAX_TOP = 500  # as a page of the API (views.pages.MAX_PAGE)


@dataclass(frozen=True)
class NodeRisk:
    id: str
    name: str
    kind: str
    country: str
    tier: int
    score: float
    components: dict[str, float | None]
    country_fallback: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "country": self.country,
            "tier": self.tier,
            "score": self.score,
            "components": self.components,
            "country_fallback": self.country_fallback,
        }


@dataclass(frozen=True)
class RiskReport:
    risk: MemberRisk
    network: int
    nodes: list[NodeRisk]  # the top, highest score first, then by id
    commodity_aliases: str

    def as_dict(self) -> dict[str, Any]:
        r = self.risk
        return {
            "member": r.member,
            "as_of": r.as_of.isoformat(),
            "network": self.network,
            "weights": r.weights,
            "configured_weights": r.configured,
            "decay": r.decay,
            "absent": [{"component": c, "reason": why} for c, why in r.absent.items()],
            "tables": [v.as_dict() for v in r.tables.values() if v is not None],
            "commodity_aliases": self.commodity_aliases,
            "nodes": [n.as_dict() for n in self.nodes],
        }


class BadSetting(ServiceError):
    """An operator's risk setting that cannot be used (TIERGRAPH_RISK_WEIGHTS,
    TIERGRAPH_RISK_COMMODITIES): the message names the variable, the file and the
    field. Not the caller's fault, but the caller is told why (docs/risk.md)."""

    code = "BAD_SETTING"

    def __init__(self, message: str, variable: str):
        super().__init__(message)
        self.variable = variable  # the TIERGRAPH_* variable naming the file


@contextmanager
def settings_checked() -> Iterator[None]:
    """Turn a weights or alias file that cannot be used into BadSetting."""
    try:
        yield
    except WeightsError as exc:
        from tiergraph.settings import Settings

        where = Settings().risk_weights
        told = (
            f"{exc}" if where is None or str(where) in str(exc) else f"weights file {where}: {exc}"
        )
        raise BadSetting(
            f"the risk weights (TIERGRAPH_RISK_WEIGHTS) cannot be used: {told}",
            "TIERGRAPH_RISK_WEIGHTS",
        ) from None
    except AliasesError as exc:
        raise BadSetting(
            f"the commodity aliases (TIERGRAPH_RISK_COMMODITIES) cannot be used: {exc}",
            "TIERGRAPH_RISK_COMMODITIES",
        ) from None


def configured_weights() -> Weights:
    """The settings' weights file (or the defaults); BadSetting if it cannot be used."""
    from tiergraph.settings import Settings

    with settings_checked():
        return load_weights(Settings().risk_weights)


def check_settings() -> None:
    """Read the risk settings now (before a job is recorded): BadSetting if one of
    them cannot be used."""
    from tiergraph.settings import Settings

    configured_weights()
    with settings_checked():
        load_aliases(Settings().risk_commodities)


def member_risk_report(
    *,
    principal: Principal,
    store: GraphStore,
    as_of: date | None = None,
    top: int = DEFAULT_TOP,
    weights: Weights | None = None,
    tables: RiskTables | None = None,
) -> RiskReport:
    """The principal's member's risk on `as_of` (default today): the `top` riskiest
    nodes of its network with every component, the weights and the tables' versions."""
    if not 1 <= top <= MAX_TOP:
        raise BadUserInput("top", f"must be between 1 and {MAX_TOP}, got {top}")
    view = member_view(principal=principal, store=store)
    day = as_of or date.today()
    with settings_checked():
        tables = tables if tables is not None else load_tables(store)
        risk = member_risk(view, store, day, tables, weights or configured_weights())
    at = np.flatnonzero(risk.in_network)
    order = np.lexsort((view.projection.rank[at], -risk.score[at]))[:top]  # then by id
    chosen = at[order]
    ids = view.ids(chosen)
    details = {o.id: o for o in store.organisations(ids)}
    columns = risk_columns(view.projection, store)
    nodes = [
        NodeRisk(
            id=i,
            name=details[i].name if i in details else "",
            kind=view.kind(int(a)).value,
            country=columns.country_of(a),
            tier=view.tier(int(a)),
            score=float(risk.score[a]),
            components={
                c: (None if (v := risk.components[c]) is None else float(v[a])) for c in COMPONENTS
            },
            country_fallback=bool(risk.country_fallback[a]),
        )
        for i, a in zip(ids, chosen.tolist(), strict=True)
    ]
    return RiskReport(risk, int(len(at)), nodes, tables.commodities.source)
