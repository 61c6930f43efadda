"""GraphQL types of requirement coverage: tiers, gaps, stored runs."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.network.types import NetworkNode, PageInfo, nodes, page_info
from cascade.coverage import CascadeGapReason
from graph.model import Requirement as RequirementValue
from views import coverage as service
from views.pages import Page

strawberry.enum(CascadeGapReason, description="Where a requirement's chain breaks")


@strawberry.type(description="A requirement the member requires.")
class Requirement:
    id: strawberry.ID
    title: str
    version: str
    frameworks: list[str]

    @classmethod
    def of(cls, r: RequirementValue) -> Requirement:
        return cls(
            id=strawberry.ID(r.id), title=r.title, version=r.version, frameworks=list(r.frameworks)
        )


@strawberry.type(description="Nodes at one tier, and how many the requirement reached.")
class TierCount:
    tier: int
    nodes: int
    reached: int


@strawberry.type(description="How far a requirement has travelled, tier by tier.")
class TierCoverage:
    requirement: strawberry.ID
    depth: int = strawberry.field(description="the deepest tier with a reached node (0: none)")
    nodes: int = strawberry.field(description="nodes in the member's network")
    reached: int
    tiers: list[TierCount]

    @classmethod
    def of(cls, c: service.TierCoverage) -> TierCoverage:
        return cls(
            requirement=strawberry.ID(c.requirement),
            depth=c.depth,
            nodes=c.nodes,
            reached=c.reached,
            tiers=[TierCount(tier=t.tier, nodes=t.nodes, reached=t.reached) for t in c.tiers],
        )


@strawberry.type(
    description="Where the chain breaks: the edge buyer -> node, or an orphan adoption."
)
class CascadeGap:
    reason: CascadeGapReason
    tier: int = strawberry.field(description="the node's tier")
    node: NetworkNode
    buyer: NetworkNode | None = strawberry.field(description="null for ORPHAN_ADOPTION")


@strawberry.type(description="One page of cascade gaps, by tier, reason, node, buyer.")
class CascadeGapPage:
    nodes: list[CascadeGap]
    page_info: PageInfo
    total_count: int

    @classmethod
    async def of(cls, info: Info, page: Page[service.CascadeGap]) -> CascadeGapPage:
        ids = sorted({i for g in page.items for i in (g.node, g.buyer) if i is not None})
        found = dict(zip(ids, await nodes(info, ids), strict=True))
        return cls(
            nodes=[
                CascadeGap(
                    reason=g.reason,
                    tier=g.tier,
                    node=found[g.node],
                    buyer=found[g.buyer] if g.buyer is not None else None,
                )
                for g in page.items
            ],
            page_info=page_info(page),
            total_count=page.total or 0,
        )


@strawberry.type
class ReasonCount:
    reason: CascadeGapReason
    count: int


@strawberry.type(description="A stored run of the cascade (a job's result), to compare periods.")
class CoverageRun:
    computed_at: str = strawberry.field(description="ISO 8601, UTC: when the job started")
    coverage: TierCoverage
    gaps: list[ReasonCount] = strawberry.field(description="gaps by reason in that run")

    @classmethod
    def of(cls, run: service.CoverageRun) -> CoverageRun:
        return cls(
            computed_at=run.computed_at,
            coverage=TierCoverage.of(run.coverage),
            gaps=[
                ReasonCount(reason=CascadeGapReason(r), count=n)
                for r, n in sorted(run.gaps_by_reason.items())
            ],
        )
