"""GraphQL types of a member's network risk: every score with its components, the
weights and the versions of the tables it used (docs/risk.md)."""

from __future__ import annotations

from datetime import date

import strawberry

from risk.service import NodeRisk, RiskReport


@strawberry.type(
    description="A node's components, each in 0..1; null for a component that is absent "
    "(see MemberRisk.absent)."
)
class RiskComponents:
    country: float | None
    goods: float | None
    audit: float | None
    cascade: float | None
    upstream: float | None
    criticality: float | None


@strawberry.type(description="A node of the member's network with its risk score.")
class NodeRiskScore:
    id: strawberry.ID
    name: str
    kind: str
    country: str
    tier: int
    score: float = strawberry.field(description="0..100: 100 x the weighted sum of components.")
    components: RiskComponents
    country_fallback: bool = strawberry.field(
        description="The node's country is unknown or not in the table: it took the "
        "table's worst value."
    )

    @classmethod
    def of(cls, n: NodeRisk) -> NodeRiskScore:
        return cls(
            id=strawberry.ID(n.id),
            name=n.name,
            kind=n.kind,
            country=n.country,
            tier=n.tier,
            score=n.score,
            components=RiskComponents(**n.components),
            country_fallback=n.country_fallback,
        )


@strawberry.type(description="A component's weight.")
class RiskWeight:
    component: str
    weight: float = strawberry.field(description="Effective: absent ones 0, the rest sum to 1.")
    configured: float = strawberry.field(description="As the weights file (or default) says.")


@strawberry.type(description="A component left out, and why.")
class AbsentComponent:
    component: str
    reason: str


@strawberry.type(description="The version of a risk table the scores used.")
class RiskTableVersion:
    kind: str = strawberry.field(description='"countries" or "goods".')
    source: str
    edition: str
    imported: date
    rows: int


@strawberry.type(description="A member's network risk on a day (docs/risk.md).")
class MemberRisk:
    member: strawberry.ID
    as_of: date
    network: int = strawberry.field(description="Nodes in the member's network.")
    decay: float = strawberry.field(description="The upstream component's decay per tier.")
    weights: list[RiskWeight]
    absent: list[AbsentComponent]
    tables: list[RiskTableVersion] = strawberry.field(description="The tables imported.")
    commodity_aliases: str = strawberry.field(
        description='The commodity alias table used: "shipped" or the settings\' path.'
    )
    nodes: list[NodeRiskScore] = strawberry.field(
        description="The riskiest nodes, highest score first, then by id."
    )

    @classmethod
    def of(cls, report: RiskReport) -> MemberRisk:
        r = report.risk
        return cls(
            member=strawberry.ID(r.member),
            as_of=r.as_of,
            network=report.network,
            decay=r.decay,
            weights=[
                RiskWeight(component=c, weight=w, configured=r.configured[c])
                for c, w in r.weights.items()
            ],
            absent=[AbsentComponent(component=c, reason=why) for c, why in r.absent.items()],
            tables=[
                RiskTableVersion(
                    kind=v.kind,
                    source=v.source,
                    edition=v.edition,
                    imported=v.imported,
                    rows=v.rows,
                )
                for v in r.tables.values()
                if v is not None
            ],
            commodity_aliases=report.commodity_aliases,
            nodes=[NodeRiskScore.of(n) for n in report.nodes],
        )
