"""Query fields: the joint audited supplier list, a member's savings potential, the
forum's audit figure."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from api.jointlist.types import ForumSavings, JointListPage, SavingsPotential
from api.network.common import call
from jointlist import forum, listing, potential


@strawberry.type
class JointListQuery:
    @strawberry.field(
        description="Sourcing, analyst and operator keys: the forum's joint audited supplier "
        "list on a day (default today): consenting suppliers with an audit valid that day."
    )
    async def joint_list(
        self, info: Info, as_of: date | None = None, first: int = 100, after: str | None = None
    ) -> JointListPage:
        day = as_of or date.today()
        page = await call(info, listing.joint_list, as_of=day, first=first, after=after)
        return JointListPage.of(day, page)

    @strawberry.field(
        description="Sourcing and analyst keys: the nodes your member could cover with one "
        "share request or one recognition decision, on a day (default today)."
    )
    async def savings_potential(
        self,
        info: Info,
        as_of: date | None = None,
        include_smallholders: bool = False,
        first: int = 100,
    ) -> SavingsPotential:
        found = await call(
            info,
            potential.savings_potential,
            as_of=as_of,
            include_smallholders=include_smallholders,
            first=first,
        )
        return await SavingsPotential.of(info, found)

    @strawberry.field(
        description="Sourcing, analyst and operator keys: audits the forum would need with no "
        "sharing against those it used, on a day (default today); per-member rows for "
        "operators, your own member's row otherwise."
    )
    async def forum_savings(self, info: Info, as_of: date | None = None) -> ForumSavings:
        return ForumSavings.of(await call(info, forum.forum_savings, as_of=as_of))
