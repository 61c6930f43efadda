"""GraphQL types of audits as a member sees them: gaps, savings, one node's status."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from api.network.common import loader
from api.network.types import NetworkNode, PageInfo, nodes, page_info
from api.remediation.types import CorrectiveAction, corrective_action_of
from cascade.audits import AuditGapReason
from graph.model import FindingStatus, Severity
from views import audits as service
from views.pages import Page

strawberry.enum(AuditGapReason, description="Why a node is not audit-covered")
strawberry.enum(Severity)
strawberry.enum(FindingStatus)


@strawberry.type(description="A non-compliance an audit found.")
class Finding:
    id: strawberry.ID
    severity: Severity
    status: FindingStatus
    category: str | None
    due_date: date | None

    @strawberry.field(description="Its corrective action and history; null when none.")
    async def corrective_action(self, info: Info) -> CorrectiveAction | None:
        return await corrective_action_of(info, str(self.id))


def _findings(*, principal, store, ids):  # type: ignore[no-untyped-def]
    return service.findings(principal=principal, store=store, audit_ids=ids)


@strawberry.type(
    description="An audit as the member sees it. One it may not see (visible: false) shows "
    "only id, scheme and validity: enough to ask its owner to share it."
)
class Audit:
    id: strawberry.ID
    scheme: str
    audit_date: date
    valid_until: date
    visible: bool = strawberry.field(
        description="commissioned by the member, shared with it, or with every customer"
    )
    rating: str | None = strawberry.field(description="null unless visible")
    auditor: str | None = strawberry.field(description="null unless visible")
    commissioned_by_you: bool | None = strawberry.field(
        description="null unless visible; never who else commissioned it"
    )

    @strawberry.field(description="Its findings, open and closed; null unless visible.")
    async def findings(self, info: Info) -> list[Finding] | None:
        found = await loader(info, "findings", _findings).load(str(self.id))
        if found is None:
            return None
        return [
            Finding(
                id=strawberry.ID(f.id),
                severity=f.severity,
                status=f.status,
                category=f.category,
                due_date=f.due_date,
            )
            for f in found
        ]

    @classmethod
    def of(cls, a: service.AuditSeen) -> Audit:
        return cls(
            id=strawberry.ID(a.id),
            scheme=a.scheme,
            audit_date=a.audit_date,
            valid_until=a.valid_until,
            visible=a.visible,
            rating=a.rating,
            auditor=a.auditor,
            commissioned_by_you=a.commissioned_by_you,
        )


@strawberry.type(description="A node of the network not audit-covered on the day.")
class AuditGap:
    node: NetworkNode
    tier: int
    reason: AuditGapReason
    audit: Audit | None = strawberry.field(
        description="the audit that got furthest in the checks; null for NO_AUDIT"
    )


@strawberry.type(description="One page of audit gaps, by tier then node id.")
class AuditGapPage:
    nodes: list[AuditGap]
    page_info: PageInfo
    total_count: int

    @classmethod
    async def of(cls, info: Info, page: Page[service.AuditGap]) -> AuditGapPage:
        found = await nodes(info, [g.node for g in page.items])
        return cls(
            nodes=[
                AuditGap(
                    node=n,
                    tier=g.tier,
                    reason=g.reason,
                    audit=Audit.of(g.audit) if g.audit is not None else None,
                )
                for g, n in zip(page.items, found, strict=True)
            ],
            page_info=page_info(page),
            total_count=page.total or 0,
        )


@strawberry.type(description="The member's audit savings on a day (its own, never the forum's).")
class AuditSavings:
    as_of: date
    in_scope: int
    covered: int
    saved: int = strawberry.field(
        description="covered nodes whose every covering audit someone else commissioned"
    )
    savings: float | None = strawberry.field(description="saved / covered; null when none")

    @classmethod
    def of(cls, s: service.Savings) -> AuditSavings:
        return cls(
            as_of=s.as_of, in_scope=s.in_scope, covered=s.covered, saved=s.saved, savings=s.savings
        )


@strawberry.type(description="One node's audit coverage for the member on a day.")
class AuditStatus:
    as_of: date
    in_scope: bool = strawberry.field(description="false for the member itself")
    covered: bool
    reason: AuditGapReason | None = strawberry.field(description="why not covered")
    audits: list[Audit] = strawberry.field(description="every audit of the node, by id")

    @classmethod
    def of(cls, s: service.NodeAuditStatus) -> AuditStatus:
        return cls(
            as_of=s.as_of,
            in_scope=s.in_scope,
            covered=s.covered,
            reason=s.reason,
            audits=[Audit.of(a) for a in s.audits],
        )
