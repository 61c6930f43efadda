"""Query fields: the member's requirements, their tier coverage, gaps and history."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.coverage.types import (
    CascadeGapPage,
    CascadeGapReason,
    CoverageRun,
    Requirement,
    TierCoverage,
)
from api.network.common import call
from views import coverage as service


@strawberry.type
class CoverageQuery:
    @strawberry.field(description="The requirements the member requires.")
    async def requirements(self, info: Info) -> list[Requirement]:
        return [Requirement.of(r) for r in await call(info, service.requirements)]

    @strawberry.field(description="Per tier: nodes and reached; the cascade depth (computed now).")
    async def tier_coverage(self, info: Info, requirement: strawberry.ID) -> TierCoverage:
        found = await call(info, service.tier_coverage, requirement=str(requirement))
        return TierCoverage.of(found)

    @strawberry.field(description="Where the requirement's chain breaks, a page at a time.")
    async def cascade_gaps(
        self,
        info: Info,
        requirement: strawberry.ID,
        reason: CascadeGapReason | None = None,
        tier: int | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> CascadeGapPage:
        page = await call(
            info,
            service.cascade_gaps,
            requirement=str(requirement),
            reason=reason,
            tier=tier,
            first=first,
            after=after,
        )
        return await CascadeGapPage.of(info, page)

    @strawberry.field(description="The latest stored runs of cascade jobs, newest first.")
    async def coverage_history(
        self, info: Info, requirement: strawberry.ID, last: int = 10
    ) -> list[CoverageRun]:
        runs = await call(info, service.coverage_history, requirement=str(requirement), last=last)
        return [CoverageRun.of(r) for r in runs]
