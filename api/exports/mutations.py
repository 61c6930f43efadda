"""Mutation: start an export of the member's network (sourcing and analyst keys)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from api.exports import types as _types  # noqa: F401 - registers ExportFormat
from api.jobs.types import Job
from api.network.common import call
from exports import service
from exports.formats import ExportFormat


@strawberry.type
class ExportsMutation:
    @strawberry.mutation(
        description="Export the member's network on a day (default today) as a file: "
        "nodes with tier, requirements reached, audit status and risk, edges with "
        "commodities. A job: follow it with job(id); once done, GET its `download` path "
        "with the same key's Authorization header. Sourcing and analyst keys."
    )
    async def start_export(
        self, info: Info, format: ExportFormat, as_of: date | None = None
    ) -> Job:
        return Job.of(await call(info, service.start_export, format=format, as_of=as_of))
