"""Query fields: the share requests of the key's side."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.network.common import call
from api.sharing.types import ShareRequestPage
from graph.store import RequestStatus
from sharing import lists


@strawberry.type
class SharingQuery:
    @strawberry.field(
        description="Share requests, newest first: your member's (sourcing and analyst keys) "
        "or those made to your organisation (supplier keys), open and answered."
    )
    async def share_requests(
        self,
        info: Info,
        status: RequestStatus | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> ShareRequestPage:
        page = await call(info, lists.share_requests, status=status, first=first, after=after)
        return ShareRequestPage.of(page)
