"""Mutation fields: asking an audit's owner to share it, and answering (sharing/)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.mutations.mutations import IdempotencyKey
from api.network.common import call
from api.sharing.types import ShareRequestAnswered, ShareRequested
from sharing import requests


@strawberry.type
class SharingMutation:
    @strawberry.mutation(
        description="Sourcing keys: ask the owner of an audit your member cannot see (of a "
        "node in its network, e.g. behind a NOT_SHARED gap) to share it. While a request is "
        "open, asking again answers the open one."
    )
    async def request_share(
        self,
        info: Info,
        audit: strawberry.ID,
        message: str | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ShareRequested:
        found = await call(
            info,
            requests.request_share,
            audit=str(audit),
            message=message,
            idempotency_key=idempotency_key,
        )
        return ShareRequested.of(found)

    @strawberry.mutation(
        description="Supplier keys: grant (the member sees the audit from now) or decline an "
        "open request made to your organisation."
    )
    async def answer_share_request(
        self,
        info: Info,
        request: strawberry.ID,
        grant: bool,
        reason: Annotated[
            str | None, strawberry.argument(description="Why not (a decline only).")
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ShareRequestAnswered:
        found = await call(
            info,
            requests.answer_share_request,
            request=str(request),
            grant=grant,
            reason=reason,
            idempotency_key=idempotency_key,
        )
        return ShareRequestAnswered.of(found)
