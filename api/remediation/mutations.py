"""Mutation fields: the moves of a corrective action (remediation.moves)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from api.mutations.mutations import IdempotencyKey
from api.network.common import call
from api.remediation.types import ActionMoved
from remediation import moves


@strawberry.type
class RemediationMutation:
    @strawberry.mutation(
        description="Supplier keys, on your own findings: propose a plan (the first, or "
        "again after it was rejected)."
    )
    async def propose_action(
        self,
        info: Info,
        finding: strawberry.ID,
        description: str,
        target_date: date,
        idempotency_key: IdempotencyKey = None,
    ) -> ActionMoved:
        found = await call(
            info,
            moves.propose_action,
            finding=str(finding),
            description=description,
            target_date=target_date,
            idempotency_key=idempotency_key,
        )
        return ActionMoved.of(found)

    @strawberry.mutation(description="Sourcing keys: accept a proposed plan on a finding you see.")
    async def accept_action(
        self, info: Info, finding: strawberry.ID, idempotency_key: IdempotencyKey = None
    ) -> ActionMoved:
        found = await call(
            info, moves.accept_action, finding=str(finding), idempotency_key=idempotency_key
        )
        return ActionMoved.of(found)

    @strawberry.mutation(
        description="Sourcing keys: send a proposed or completed plan back, with a reason."
    )
    async def reject_action(
        self,
        info: Info,
        finding: strawberry.ID,
        reason: str,
        idempotency_key: IdempotencyKey = None,
    ) -> ActionMoved:
        found = await call(
            info,
            moves.reject_action,
            finding=str(finding),
            reason=reason,
            idempotency_key=idempotency_key,
        )
        return ActionMoved.of(found)

    @strawberry.mutation(description="Supplier keys: an accepted plan is done, with its evidence.")
    async def complete_action(
        self,
        info: Info,
        finding: strawberry.ID,
        evidence: str,
        idempotency_key: IdempotencyKey = None,
    ) -> ActionMoved:
        found = await call(
            info,
            moves.complete_action,
            finding=str(finding),
            evidence=evidence,
            idempotency_key=idempotency_key,
        )
        return ActionMoved.of(found)

    @strawberry.mutation(
        description="Sourcing keys on a finding you see, or operator keys: verify a completed "
        "plan; the finding is closed (audit gaps change at the next read)."
    )
    async def verify_action(
        self, info: Info, finding: strawberry.ID, idempotency_key: IdempotencyKey = None
    ) -> ActionMoved:
        found = await call(
            info, moves.verify_action, finding=str(finding), idempotency_key=idempotency_key
        )
        return ActionMoved.of(found)

    @strawberry.mutation(
        description="Supplier keys, on your own finding with a plan: ask for a later due day."
    )
    async def request_extension(
        self,
        info: Info,
        finding: strawberry.ID,
        due_date: date,
        reason: str | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ActionMoved:
        found = await call(
            info,
            moves.request_extension,
            finding=str(finding),
            due_date=due_date,
            reason=reason,
            idempotency_key=idempotency_key,
        )
        return ActionMoved.of(found)

    @strawberry.mutation(
        description="Sourcing keys: grant (the finding's due day moves) or refuse the due day "
        "asked for."
    )
    async def answer_extension(
        self,
        info: Info,
        finding: strawberry.ID,
        grant: bool,
        reason: str | None = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ActionMoved:
        found = await call(
            info,
            moves.answer_extension,
            finding=str(finding),
            grant=grant,
            reason=reason,
            idempotency_key=idempotency_key,
        )
        return ActionMoved.of(found)
