"""GraphQL types of the member's network: nodes, pages, one organisation."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from access.principal import Role
from api.network.common import call, loader
from graph.model import Kind
from views import network as service
from views.network import Card
from views.network import NetworkNode as NetworkNodeValue
from views.pages import Page

if TYPE_CHECKING:
    from api.audits.types import AuditStatus
    from api.network.supplier import SupplierSelf

# The domain's enums, as GraphQL enums (strawberry marks the classes themselves).
strawberry.enum(Kind, description="An organisation's kind")
strawberry.enum(Role, description="What an API key may do")


async def nodes(info: Info, ids: list[str]) -> list[NetworkNode]:
    """The nodes of one answer with their details, read in one batch per request
    (the ids come from answers already checked; the service checks them again)."""
    found = await loader(info, "labels", service.labels).load_many(ids)
    out = []
    for node_id, n in zip(ids, found, strict=True):
        if n is None:
            raise service.not_found("organisation", node_id)
        out.append(
            NetworkNode(
                id=strawberry.ID(n.id), tier=n.tier, kind=n.kind, name=n.name, country=n.country
            )
        )
    return out


@strawberry.type(description="A page's place: pass endCursor as `after` for the next one.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def page_info(page: Page) -> PageInfo:
    return PageInfo(has_next_page=page.has_next, end_cursor=page.end_cursor)


@strawberry.type(
    description="A node of the member's view: the member itself (tier 0) or its network."
)
class NetworkNode:
    id: strawberry.ID
    tier: int = strawberry.field(description="Shortest SOURCES_FROM distance from the member.")
    kind: Kind
    name: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2")


@strawberry.type(description="One page of the member's network, by tier then id.")
class NetworkPage:
    nodes: list[NetworkNode]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Nodes matching the filters, all pages")

    @classmethod
    async def of(cls, info: Info, page: Page[NetworkNodeValue]) -> NetworkPage:
        return cls(
            nodes=await nodes(info, [n.id for n in page.items]),
            page_info=page_info(page),
            total_count=page.total or 0,
        )


@strawberry.type(description="Direct suppliers or buyers: the first ones, and how many.")
class Neighbours:
    count: int
    nodes: list[NetworkNode]


@strawberry.type(description="Has one of the member's requirements reached this node?")
class RequirementReach:
    requirement: strawberry.ID
    reached: bool = strawberry.field(description="along a chain of PASSED_ON and ADOPTED")
    adopted: bool = strawberry.field(description="the node ADOPTED it (reached or not)")


@strawberry.type(description="An organisation of the member's view, with its neighbours there.")
class Organisation:
    id: strawberry.ID
    name: str
    kind: Kind
    country: str
    tier: int
    lei: str | None
    duns: str | None
    gln: str | None
    os_id: str | None
    mill_id: str | None
    abbreviation: str | None
    lat: float | None
    lon: float | None

    @classmethod
    def of(cls, found: Card) -> Organisation:
        o = found.organisation
        return cls(
            id=strawberry.ID(o.id),
            name=o.name,
            kind=o.kind,
            country=o.country,
            tier=found.tier,
            lei=o.lei,
            duns=o.duns,
            gln=o.gln,
            os_id=o.os_id,
            mill_id=o.mill_id,
            abbreviation=o.abbreviation,
            lat=o.lat,
            lon=o.lon,
        )

    @strawberry.field(description="Its direct suppliers (all inside the member's network).")
    async def suppliers(self, info: Info, first: int = 100) -> Neighbours:
        found = await call(info, service.suppliers, id=self.id, first=first)
        return Neighbours(count=found.count, nodes=await nodes(info, [n.id for n in found.nodes]))

    @strawberry.field(
        description="Its direct buyers inside the member's view (the member is the buyer "
        "of its tier-1 suppliers); buyers outside it are never shown nor counted."
    )
    async def buyers(self, info: Info, first: int = 100) -> Neighbours:
        found = await call(info, service.buyers, id=self.id, first=first)
        return Neighbours(count=found.count, nodes=await nodes(info, [n.id for n in found.nodes]))

    @strawberry.field(description="Each requirement the member requires, reached or not.")
    async def requirements(self, info: Info) -> list[RequirementReach]:
        found = await call(info, service.requirements_reached, id=self.id)
        return [
            RequirementReach(
                requirement=strawberry.ID(r.requirement), reached=r.reached, adopted=r.adopted
            )
            for r in found
        ]

    @strawberry.field(description="Its audit coverage for the member on a day (default today).")
    async def audit_status(
        self, info: Info, as_of: date | None = None
    ) -> Annotated[AuditStatus, strawberry.lazy("api.audits.types")]:
        from api.audits.types import AuditStatus
        from views.audits import audit_status_of

        return AuditStatus.of(await call(info, audit_status_of, id=self.id, as_of=as_of))


@strawberry.type(description="The organisation an API key acts for (itself only).")
class MeOrganisation:
    id: strawberry.ID
    name: str
    kind: Kind
    country: str


@strawberry.type(description="Who is asking: the key's role and the organisation it acts for.")
class Me:
    role: Role
    key_id: str
    organisation: MeOrganisation | None = strawberry.field(
        description="null for an operator key (it belongs to nobody)"
    )

    @strawberry.field(
        description="A supplier key's own part of the network: itself, its direct suppliers "
        "and buyers, the requirements passed to it, its audits and who sees them (null for "
        "other roles)."
    )
    async def supplier(
        self, info: Info
    ) -> Annotated[SupplierSelf, strawberry.lazy("api.network.supplier")] | None:
        from api.network.supplier import SupplierSelf
        from views.supplier import supplier_view

        if self.role != Role.SUPPLIER:
            return None
        return SupplierSelf.of(await call(info, supplier_view))
