"""A supplier's consent to be on the joint audited supplier list (or its withdrawal)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from access.errors import BadUserInput
from access.principal import Principal, Role
from graph.model import GraphBatch, Kind
from graph.store import GraphStore
from mutations.record import Plan, perform
from mutations.scope import own_organisation


def consent_to_joint_list(
    *,
    principal: Principal,
    store: GraphStore,
    listed: bool,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Set the key's own organisation's consent; only a Supplier is ever listed, so
    a member or smallholder is refused rather than told a consent that does nothing."""
    me = own_organisation(principal, store, Role.SUPPLIER)
    if me.kind != Kind.SUPPLIER:
        raise BadUserInput("listed", "only a supplier (not a member or smallholder) is listed")

    def plan(at: datetime) -> Plan:
        current = own_organisation(principal, store, Role.SUPPLIER)
        response = {"organisation": current.id, "listed": listed}
        if current.listed == listed:  # nothing changes: answered, and recorded
            return Plan(response)
        return Plan(response, GraphBatch(organisations=[replace(current, listed=listed)]))

    return perform(
        principal=principal,
        store=store,
        operation="consentToJointList",
        arguments={"listed": listed},
        idempotency_key=idempotency_key,
        plan=plan,
    )
