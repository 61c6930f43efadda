"""Query fields: who is asking, the member's network, one organisation of it."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from access.errors import BadUserInput
from api.network.common import call, principal_of
from api.network.types import Kind, Me, MeOrganisation, NetworkPage, Organisation
from views import network as service


@strawberry.type
class NetworkQuery:
    @strawberry.field(description="Who is asking: any key's role and its own organisation.")
    async def me(self, info: Info) -> Me:
        principal_of(info)
        found = await call(info, service.me)
        o = found.organisation
        return Me(
            role=found.principal.role,
            key_id=found.principal.key_id,
            organisation=MeOrganisation(
                id=strawberry.ID(o.id), name=o.name, kind=o.kind, country=o.country
            )
            if o is not None
            else None,
        )

    @strawberry.field(
        description="The member's network (sourcing, analyst): nodes reachable from it, by "
        "tier then id, at most 500 a page."
    )
    async def network(
        self,
        info: Info,
        tier: int | None = None,
        kind: Kind | None = None,
        country: str | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> NetworkPage:
        page = await call(
            info, service.network, tier=tier, kind=kind, country=country, first=first, after=after
        )
        return await NetworkPage.of(info, page)

    @strawberry.field(
        description="One organisation of the member's network (or the member itself); "
        "NOT_FOUND for any other id, existing or not."
    )
    async def organisation(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        identifier: Annotated[
            str | None,
            strawberry.argument(
                description="Find it by any of its identifiers instead: LEI, DUNS, GLN, OS ID "
                "or UML mill id."
            ),
        ] = None,
    ) -> Organisation:
        if (id is None) == (identifier is None):
            raise BadUserInput("id", "give id or identifier, one of them")
        if identifier is not None:
            found = await call(info, service.organisation_by_identifier, identifier=identifier)
        else:
            found = await call(info, service.organisation, id=str(id))
        return Organisation.of(found)
