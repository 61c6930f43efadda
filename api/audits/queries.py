"""Query fields: the member's audit gaps and savings on a day."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from api.audits.types import AuditGapPage, AuditGapReason, AuditSavings
from api.network.common import call
from views import audits as service


@strawberry.type
class AuditsQuery:
    @strawberry.field(
        description="Nodes of the network not audit-covered on a day (default today), each "
        "with its reason and the audit that got furthest; smallholders only when asked."
    )
    async def audit_gaps(
        self,
        info: Info,
        as_of: date | None = None,
        reason: AuditGapReason | None = None,
        tier: int | None = None,
        include_smallholders: bool = False,
        first: int = 100,
        after: str | None = None,
    ) -> AuditGapPage:
        page = await call(
            info,
            service.audit_gaps,
            as_of=as_of,
            reason=reason,
            tier=tier,
            include_smallholders=include_smallholders,
            first=first,
            after=after,
        )
        return await AuditGapPage.of(info, page)

    @strawberry.field(description="The member's audit savings on a day (default today).")
    async def audit_savings(
        self, info: Info, as_of: date | None = None, include_smallholders: bool = False
    ) -> AuditSavings:
        found = await call(
            info, service.audit_savings, as_of=as_of, include_smallholders=include_smallholders
        )
        return AuditSavings.of(found)
