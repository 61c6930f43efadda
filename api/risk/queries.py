"""Query field: the principal's member's network risk."""

from __future__ import annotations

import asyncio
from datetime import date

import strawberry
from strawberry.types import Info

from api.network.common import principal_of
from api.risk.types import MemberRisk
from risk.service import DEFAULT_TOP, member_risk_report


@strawberry.type
class RiskQuery:
    @strawberry.field(
        description="Sourcing and analyst keys: your member's network risk on a day (default "
        "today): the `top` riskiest nodes (1..500) with every component, the weights and the "
        "versions of the tables used."
    )
    async def risk(
        self, info: Info, as_of: date | None = None, top: int = DEFAULT_TOP
    ) -> MemberRisk:
        # Always in a worker thread: at a million nodes it takes seconds, which would
        # stall every other request if it ran on the event loop.
        report = await asyncio.to_thread(
            member_risk_report,
            principal=principal_of(info),
            store=info.context.store,
            as_of=as_of,
            top=top,
        )
        return MemberRisk.of(report)
