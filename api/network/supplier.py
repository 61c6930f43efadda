"""GraphQL types of a supplier's own part of the network (me.supplier)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from api.remediation.types import CorrectiveAction, corrective_action_of
from graph import model
from graph.model import FindingStatus, Kind, Severity
from views.supplier import SupplierView


@strawberry.type(description="An organisation with its details (a supplier key's own).")
class OwnOrganisation:
    id: strawberry.ID
    name: str
    kind: Kind
    country: str
    abbreviation: str | None
    lat: float | None
    lon: float | None
    lei: str | None
    duns: str | None
    gln: str | None
    os_id: str | None
    uml_id: str | None

    @classmethod
    def of(cls, o: model.Organisation) -> OwnOrganisation:
        return cls(
            id=strawberry.ID(o.id),
            name=o.name,
            kind=o.kind,
            country=o.country,
            abbreviation=o.abbreviation,
            lat=o.lat,
            lon=o.lon,
            lei=o.lei,
            duns=o.duns,
            gln=o.gln,
            os_id=o.os_id,
            uml_id=o.mill_id,
        )


@strawberry.type(description="A direct supplier or buyer, and what is traded with it.")
class Trading:
    id: strawberry.ID
    name: str
    kind: Kind
    country: str
    commodities: list[str]


@strawberry.type(description="A requirement passed to the supplier, and what it did with it.")
class PassedRequirement:
    id: strawberry.ID
    title: str
    version: str
    passed_by: list[strawberry.ID] = strawberry.field(description="Direct buyers that passed it.")
    adopted: bool
    adopted_at: date | None
    evidence: str | None
    passed_on_to: list[strawberry.ID] = strawberry.field(
        description="Direct suppliers it was passed on to."
    )


@strawberry.type(description="A finding of one of the supplier's own audits.")
class OwnFinding:
    id: strawberry.ID
    severity: Severity
    status: FindingStatus
    category: str | None
    due_date: date | None

    @strawberry.field(description="Its corrective action and history; null when none.")
    async def corrective_action(self, info: Info) -> CorrectiveAction | None:
        return await corrective_action_of(info, str(self.id))


@strawberry.type(description="An audit of the supplier's own organisation, and who sees it.")
class OwnAudit:
    id: strawberry.ID
    scheme: str
    audit_date: date
    valid_until: date
    rating: str | None
    auditor: str | None
    commissioned_by: strawberry.ID = strawberry.field(description="It always sees the audit.")
    shared_with: list[strawberry.ID] = strawberry.field(description="Members it is shared with.")
    all_customers: bool = strawberry.field(description="Shared with every customer.")
    findings: list[OwnFinding]


@strawberry.type(
    description="What a supplier key sees: itself, its direct suppliers and buyers, the "
    "requirements passed to it, its audits."
)
class SupplierSelf:
    organisation: OwnOrganisation
    suppliers: list[Trading]
    buyers: list[Trading]
    requirements: list[PassedRequirement]
    audits: list[OwnAudit]

    @classmethod
    def of(cls, v: SupplierView) -> SupplierSelf:
        def trading(t):  # type: ignore[no-untyped-def]
            o = t.organisation
            return Trading(
                id=strawberry.ID(o.id),
                name=o.name,
                kind=o.kind,
                country=o.country,
                commodities=list(t.commodities),
            )

        return cls(
            organisation=OwnOrganisation.of(v.organisation),
            suppliers=[trading(t) for t in v.suppliers],
            buyers=[trading(t) for t in v.buyers],
            requirements=[
                PassedRequirement(
                    id=strawberry.ID(p.requirement.id),
                    title=p.requirement.title,
                    version=p.requirement.version,
                    passed_by=[strawberry.ID(b) for b in p.passed_by],
                    adopted=p.adoption is not None,
                    adopted_at=p.adoption.at if p.adoption else None,
                    evidence=p.adoption.evidence if p.adoption else None,
                    passed_on_to=[strawberry.ID(s) for s in p.passed_on_to],
                )
                for p in v.requirements
            ],
            audits=[
                OwnAudit(
                    id=strawberry.ID(a.audit.id),
                    scheme=a.audit.scheme,
                    audit_date=a.audit.audit_date,
                    valid_until=a.audit.valid_until,
                    rating=a.audit.rating,
                    auditor=a.audit.auditor,
                    commissioned_by=strawberry.ID(a.audit.commissioned_by),
                    shared_with=[strawberry.ID(m) for m in a.shared_with],
                    all_customers=a.audit.shared_with_all,
                    findings=[
                        OwnFinding(
                            id=strawberry.ID(f.id),
                            severity=f.severity,
                            status=f.status,
                            category=f.category,
                            due_date=f.due_date,
                        )
                        for f in a.findings
                    ],
                )
                for a in v.audits
            ],
        )
