"""Mutation fields: suppliers working their own part of the network, and a
member's sourcing team its own decisions (docs/api.md, "Writing"). Each resolver
parses, calls one service function of mutations/, and shapes its answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

import strawberry
from strawberry.types import Info

from api.mutations.types import (
    Adopted,
    AuditSharing,
    AuditUploaded,
    NewAudit,
    NewFinding,
    NewSupplier,
    PassedOn,
    Recognitions,
    Registration,
    Required,
    SourcingRemoved,
    shaped,
)
from api.network.common import call
from mutations import audits, members, suppliers

KEY_DOC = (
    "A key of your choosing (1-200 characters): sent again with the same arguments, the "
    "first answer comes back and nothing is written twice."
)
IdempotencyKey = Annotated[str | None, strawberry.argument(description=KEY_DOC)]


@strawberry.type
class WritesMutation:
    # Each field calls one service of mutations/ that writes only through
    # mutations.record.perform (the store's apply, which confirms a key read ahead:
    # graph.key_ahead): a revoked key's request writes nothing (api.prepared).
    WRITES_THROUGH_APPLY: ClassVar[bool] = True

    @strawberry.mutation(
        description="Supplier keys: add a sub-supplier you source `commodity` from. It is "
        "matched with the stored organisations first (identifiers, then name and country): "
        "see Registration for the outcomes."
    )
    async def register_supplier(
        self,
        info: Info,
        supplier: NewSupplier,
        commodity: str,
        since: date | None = None,
        use_existing: strawberry.ID | None = None,
        create_anyway: Annotated[
            str | None,
            strawberry.argument(description="Why it is new despite the candidates offered."),
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Registration:
        found = await call(
            info,
            suppliers.register_supplier,
            supplier=supplier.row(),
            commodity=commodity,
            since=since.isoformat() if since else None,
            use_existing=str(use_existing) if use_existing is not None else None,
            create_anyway=create_anyway,
            idempotency_key=idempotency_key,
        )
        return Registration.of(found)

    @strawberry.mutation(
        description="Supplier keys: stop sourcing from a direct supplier (one commodity, or "
        "all); the organisation itself stays."
    )
    async def remove_sourcing(
        self,
        info: Info,
        supplier: strawberry.ID,
        commodity: str | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> SourcingRemoved:
        found = await call(
            info,
            suppliers.remove_sourcing,
            supplier=str(supplier),
            commodity=commodity,
            idempotency_key=idempotency_key,
        )
        return shaped(SourcingRemoved, found)

    @strawberry.mutation(
        description="Pass a requirement on to one of your direct suppliers. Supplier keys: "
        "a requirement passed to you; sourcing keys: one your member requires."
    )
    async def pass_on(
        self,
        info: Info,
        requirement: strawberry.ID,
        to: strawberry.ID,
        idempotency_key: IdempotencyKey = None,
    ) -> PassedOn:
        found = await call(
            info,
            suppliers.pass_on,
            requirement=str(requirement),
            to=str(to),
            idempotency_key=idempotency_key,
        )
        return shaped(PassedOn, found)

    @strawberry.mutation(description="Supplier keys: adopt a requirement passed to you.")
    async def adopt(
        self,
        info: Info,
        requirement: strawberry.ID,
        evidence: str | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Adopted:
        found = await call(
            info,
            suppliers.adopt,
            requirement=str(requirement),
            evidence=evidence,
            idempotency_key=idempotency_key,
        )
        return shaped(Adopted, found)

    @strawberry.mutation(
        description="Supplier keys: upload an audit of your own organisation with its "
        "findings; you are its owner and decide who sees it."
    )
    async def upload_audit(
        self,
        info: Info,
        audit: NewAudit,
        findings: list[NewFinding] | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> AuditUploaded:
        found = await call(
            info,
            audits.upload_audit,
            audit=audit.row(),
            findings=[f.row() for f in findings or []],
            idempotency_key=idempotency_key,
        )
        return shaped(AuditUploaded, found)

    @strawberry.mutation(
        description="Supplier keys: share one of your audits with named members, and/or "
        "with every customer."
    )
    async def share_audit(
        self,
        info: Info,
        audit: strawberry.ID,
        members: list[strawberry.ID] | None = None,
        all_customers: bool = False,
        idempotency_key: IdempotencyKey = None,
    ) -> AuditSharing:
        found = await call(
            info,
            audits.share_audit,
            audit=str(audit),
            members=[str(m) for m in members or []],
            all_customers=all_customers,
            idempotency_key=idempotency_key,
        )
        return shaped(AuditSharing, found, shared_with="sharedWith", all_customers="allCustomers")

    @strawberry.mutation(
        description="Supplier keys: take back shares of one of your audits (named members, "
        "and/or every customer)."
    )
    async def unshare_audit(
        self,
        info: Info,
        audit: strawberry.ID,
        members: list[strawberry.ID] | None = None,
        all_customers: bool = False,
        idempotency_key: IdempotencyKey = None,
    ) -> AuditSharing:
        found = await call(
            info,
            audits.unshare_audit,
            audit=str(audit),
            members=[str(m) for m in members or []],
            all_customers=all_customers,
            idempotency_key=idempotency_key,
        )
        return shaped(AuditSharing, found, shared_with="sharedWith", all_customers="allCustomers")

    @strawberry.mutation(
        description="Sourcing keys: count audits of this scheme for your member from now."
    )
    async def recognise(
        self, info: Info, scheme: str, idempotency_key: IdempotencyKey = None
    ) -> Recognitions:
        found = await call(info, members.recognise, scheme=scheme, idempotency_key=idempotency_key)
        return shaped(Recognitions, found)

    @strawberry.mutation(description="Sourcing keys: stop recognising a scheme.")
    async def unrecognise(
        self, info: Info, scheme: str, idempotency_key: IdempotencyKey = None
    ) -> Recognitions:
        found = await call(
            info, members.unrecognise, scheme=scheme, idempotency_key=idempotency_key
        )
        return shaped(Recognitions, found)

    @strawberry.mutation(
        description="Sourcing keys: your member requires a requirement (a new one needs a "
        "title); an id another member requires is taken; title, version and frameworks "
        "change only on one no other member requires."
    )
    async def require(
        self,
        info: Info,
        requirement: strawberry.ID,
        title: str | None = None,
        version: str | None = None,
        frameworks: list[str] | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Required:
        found = await call(
            info,
            members.require,
            requirement=str(requirement),
            title=title,
            version=version,
            frameworks=frameworks,
            idempotency_key=idempotency_key,
        )
        return shaped(Required, found)
