"""GraphQL types of the joint audited supplier list, a member's savings potential
and the forum's audit figure."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from api.audits.types import Audit, AuditGapReason
from api.mutations.types import MUTATION_DOC, REPLAYED_DOC, MutationInfo, written
from api.network.types import NetworkNode, PageInfo, nodes, page_info
from jointlist import listing, potential
from views.pages import Page

NetworksBand = strawberry.enum(
    listing.Band,
    name="NetworksBand",
    description="How many members' networks hold a listed supplier: 0, 1, 2-4, 5+ (never which).",
)


@strawberry.type(description="An audit of a listed supplier valid on the day: scheme and validity.")
class ListedAudit:
    scheme: str
    valid_until: date


@strawberry.type(description="A supplier on the joint list: itself only, never a buyer of it.")
class JointListEntry:
    id: strawberry.ID
    name: str
    country: str
    audits: list[ListedAudit] = strawberry.field(
        description="Its audits valid on the day, by scheme then valid_until."
    )
    open_critical_finding: bool = strawberry.field(
        description="Any of those audits has an open critical finding."
    )
    networks: listing.Band = strawberry.field(
        description="How many members' networks hold it, as a band."
    )

    @classmethod
    def of(cls, e: listing.Entry) -> JointListEntry:
        return cls(
            id=strawberry.ID(e.id),
            name=e.name,
            country=e.country,
            audits=[ListedAudit(scheme=a.scheme, valid_until=a.valid_until) for a in e.audits],
            open_critical_finding=e.open_critical_finding,
            networks=e.networks,
        )


@strawberry.type(description="One page of the joint list, by supplier id.")
class JointListPage:
    as_of: date
    nodes: list[JointListEntry]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, as_of: date, page: Page[listing.Entry]) -> JointListPage:
        return cls(
            as_of=as_of,
            nodes=[JointListEntry.of(e) for e in page.items],
            page_info=page_info(page),
            total_count=page.total or 0,
        )


@strawberry.type(description="Nodes that use one scheme, among those of a step.")
class SchemeCount:
    scheme: str
    nodes: int


@strawberry.type(description="A node one step away from audit coverage.")
class StepNode:
    node: NetworkNode
    tier: int
    schemes: list[str] = strawberry.field(
        description="Schemes of its audits that this step would free, sorted."
    )
    audit: Audit = strawberry.field(description="The gap's audit (a share request names it).")


@strawberry.type(description="The nodes in scope one step away: counts, schemes, the first nodes.")
class SavingsStep:
    reason: AuditGapReason
    count: int
    by_scheme: list[SchemeCount]
    nodes: list[StepNode] = strawberry.field(description="The first `first`, by tier then id.")

    @classmethod
    async def of(cls, info: Info, step: potential.Step) -> SavingsStep:
        found = await nodes(info, [n.node for n in step.shown])
        return cls(
            reason=step.reason,
            count=step.nodes,
            by_scheme=[SchemeCount(scheme=s, nodes=c) for s, c in step.by_scheme],
            nodes=[
                StepNode(node=card, tier=n.tier, schemes=n.schemes, audit=Audit.of(n.audit))
                for n, card in zip(step.shown, found, strict=True)
            ],
        )


@strawberry.type(
    description="What the member could save on a day: nodes one share request away "
    "(NOT_SHARED) and one recognition decision away (UNRECOGNISED_SCHEME). A first step "
    "only: a shared or recognised audit may still fail on a finding not seen before."
)
class SavingsPotential:
    as_of: date
    in_scope: int
    share_request_away: SavingsStep
    recognition_away: SavingsStep

    @classmethod
    async def of(cls, info: Info, p: potential.Potential) -> SavingsPotential:
        return cls(
            as_of=p.as_of,
            in_scope=p.in_scope,
            share_request_away=await SavingsStep.of(info, p.not_shared),
            recognition_away=await SavingsStep.of(info, p.unrecognised_scheme),
        )


@strawberry.type(description="One member's audit savings on the day.")
class MemberSavings:
    member: strawberry.ID
    in_scope: int
    covered: int
    saved: int
    savings: float | None


@strawberry.type(
    description="The forum's audit figure on a day: audits it would need with no sharing "
    "(covered nodes summed over members) against the distinct audits it used."
)
class ForumSavings:
    as_of: date
    members_counted: int = strawberry.field(description="Members in the forum's figure.")
    needed_without_sharing: int = strawberry.field(
        description="Covered nodes summed over members: one audit each with no sharing."
    )
    audits_used: int = strawberry.field(
        description="Distinct audits covering at least one of them for its member."
    )
    per_audit: float | None = strawberry.field(
        description="needed / used: how many members' nodes one audit serves; null when none."
    )
    members: list[MemberSavings] = strawberry.field(
        description="Every member's row for operator keys; only your member's for others."
    )

    @classmethod
    def of(cls, f: dict[str, Any]) -> ForumSavings:
        forum = f["forum"]
        return cls(
            as_of=date.fromisoformat(f["as_of"]),
            members_counted=forum["members"],
            needed_without_sharing=forum["covered"],
            audits_used=forum["audits"],
            per_audit=forum["per_audit"],
            members=[
                MemberSavings(
                    member=strawberry.ID(m["member"]),
                    in_scope=m["in_scope"],
                    covered=m["covered"],
                    saved=m["saved"],
                    savings=m["savings"],
                )
                for m in f["members"]
            ],
        )


@strawberry.type(description="Your organisation's consent to the joint list, as it stands now.")
class JointListConsent:
    organisation: strawberry.ID
    listed: bool
    mutation: MutationInfo | None = strawberry.field(description=MUTATION_DOC)
    replayed: bool = strawberry.field(description=REPLAYED_DOC)

    @classmethod
    def of(cls, r: dict[str, Any]) -> JointListConsent:
        return cls(organisation=strawberry.ID(r["organisation"]), listed=r["listed"], **written(r))
