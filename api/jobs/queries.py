"""Query field: one of the member's cascade jobs."""

from __future__ import annotations

import asyncio

import strawberry
from strawberry.types import Info

from api.jobs.types import Job
from api.network.common import principal_of, readable
from views import jobs as service
from views.job_runners import jobs_for


@strawberry.type
class JobsQuery:
    @strawberry.field(
        description="A job of the member (a cascade or an export): state and progress."
    )
    async def job(self, info: Info, id: strawberry.ID) -> Job:
        principal = principal_of(info)
        readable({"id": str(id)})
        jobs = jobs_for(info.context.store)
        meta = await asyncio.to_thread(service.job_of, principal=principal, jobs=jobs, id=str(id))
        return Job.of(meta)
