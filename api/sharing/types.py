"""GraphQL types of share requests (sharing/): one shape for both sides."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from api.mutations.types import MUTATION_DOC, REPLAYED_DOC, MutationInfo, written
from api.network.types import PageInfo, page_info
from graph.store import RequestStatus
from sharing.shown import RequestSeen
from views.pages import Page

ShareRequestStatus = strawberry.enum(
    RequestStatus, name="ShareRequestStatus", description="Where a share request stands."
)


@strawberry.type(
    description="The audit a request is about: only what a NOT_SHARED gap shows of it (id, "
    "scheme, validity), whichever side reads it."
)
class RequestedAudit:
    id: strawberry.ID
    scheme: str | None
    audit_date: date | None
    valid_until: date | None


@strawberry.type(
    description="A member's request that the owner of an audit share it. The member reads "
    "its own requests; the owner (the audited organisation) reads those made to it."
)
class ShareRequest:
    id: strawberry.ID
    member: strawberry.ID = strawberry.field(description="The member that asks.")
    organisation: strawberry.ID = strawberry.field(
        description="The audited organisation: the audit's owner, who answers."
    )
    audit: RequestedAudit
    status: RequestStatus
    message: str | None
    at: str = strawberry.field(description="When it was made (ISO 8601, UTC).")
    answered_at: str | None = strawberry.field(description="When it was granted or declined.")
    reason: str | None = strawberry.field(description="A decline's reason, when given.")

    @classmethod
    def of(cls, r: RequestSeen) -> ShareRequest:
        return cls(
            id=strawberry.ID(r.id),
            member=strawberry.ID(r.member),
            organisation=strawberry.ID(r.organisation),
            audit=RequestedAudit(
                id=strawberry.ID(r.audit),
                scheme=r.scheme,
                audit_date=r.audit_date,
                valid_until=r.valid_until,
            ),
            status=r.status,
            message=r.message,
            at=r.at,
            answered_at=r.answered_at,
            reason=r.reason,
        )


@strawberry.type(description="One page of share requests, newest first.")
class ShareRequestPage:
    nodes: list[ShareRequest]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: Page[RequestSeen]) -> ShareRequestPage:
        return cls(
            nodes=[ShareRequest.of(r) for r in page.items],
            page_info=page_info(page),
            total_count=page.total or 0,
        )


@strawberry.type(description="The request made, or the one already open (created: false).")
class ShareRequested:
    request: ShareRequest
    created: bool = strawberry.field(
        description="false: a request of your member for this audit was open already; it is "
        "answered and nothing was written"
    )
    mutation: MutationInfo | None = strawberry.field(description=MUTATION_DOC)
    replayed: bool = strawberry.field(description=REPLAYED_DOC)

    @classmethod
    def of(cls, response: dict[str, Any]) -> ShareRequested:
        seen = RequestSeen.from_response(response["request"])
        return cls(request=ShareRequest.of(seen), created=response["created"], **written(response))


@strawberry.type(description="The request as answered.")
class ShareRequestAnswered:
    request: ShareRequest
    mutation: MutationInfo | None = strawberry.field(description=MUTATION_DOC)
    replayed: bool = strawberry.field(description=REPLAYED_DOC)

    @classmethod
    def of(cls, response: dict[str, Any]) -> ShareRequestAnswered:
        seen = RequestSeen.from_response(response["request"])
        return cls(request=ShareRequest.of(seen), **written(response))
