"""Mutation field: a supplier's consent to the joint audited supplier list."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.jointlist.types import JointListConsent
from api.mutations.mutations import IdempotencyKey
from api.network.common import call
from jointlist import consent


@strawberry.type
class JointListMutation:
    @strawberry.mutation(
        description="Supplier keys: consent (listed: true) to your organisation being on the "
        "forum's joint audited supplier list, or withdraw it (false)."
    )
    async def consent_to_joint_list(
        self, info: Info, listed: bool, idempotency_key: IdempotencyKey = None
    ) -> JointListConsent:
        found = await call(
            info, consent.consent_to_joint_list, listed=listed, idempotency_key=idempotency_key
        )
        return JointListConsent.of(found)
