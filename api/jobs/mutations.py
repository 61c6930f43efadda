"""Mutation: start a cascade job for the member (sourcing keys only)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from api.jobs.types import Job
from api.network.common import call
from views import jobs as service
from views.job_runners import jobs_for


@strawberry.type
class JobsMutation:
    @strawberry.mutation(
        description="Recompute the member's coverage (one requirement, or all) and audit "
        "status on a day (default today); follow it with job(id). Sourcing keys only."
    )
    async def run_cascade(
        self, info: Info, requirement: strawberry.ID | None = None, as_of: date | None = None
    ) -> Job:
        meta = await call(
            info,
            service.run_cascade,
            jobs=jobs_for(info.context.store),
            requirement=str(requirement) if requirement is not None else None,
            as_of=as_of,
        )
        return Job.of(meta)
