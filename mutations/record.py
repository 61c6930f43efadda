"""One mutation, written once: who made it and when, and the same answer when
its idempotency key comes again.

`perform` looks for a record kept under the (organisation, role, idempotency
key) first: found with the same arguments, its answer is returned and nothing
is written; found with other arguments, the key is refused. Otherwise the
mutation is planned (checked against the principal and validated), then applied
in one transaction with its record. Two racing calls with one key both plan; the
store keeps the first, and the second gets the first's answer.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from access.errors import BadUserInput
from access.principal import Principal
from graph.model import CorrectiveAction, GraphBatch
from graph.store import (
    GraphStore,
    MatchVerdict,
    Mutation,
    MutationRecord,
    Removals,
    ShareRequest,
)
from mutations.checks import storable

KEY_LENGTH = 200  # an idempotency key longer than this is refused


@dataclass
class Plan:
    """What a mutation writes and what it answers. `write=False`: nothing to write
    (a question back to the caller), answered without a record."""

    response: dict[str, Any]
    batch: GraphBatch = field(default_factory=GraphBatch)
    removals: Removals = field(default_factory=Removals)
    verdicts: tuple[MatchVerdict, ...] = ()
    write: bool = True
    requests: tuple[ShareRequest, ...] = ()  # share requests upserted with the write
    actions: tuple[CorrectiveAction, ...] = ()  # corrective action plans (remediation)


def now() -> datetime:
    return datetime.now(UTC)


def request_hash(operation: str, arguments: dict[str, Any]) -> str:
    text = json.dumps([operation, arguments], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _replayed(kept: MutationRecord, operation: str, request: str) -> dict[str, Any]:
    if kept.operation != operation or kept.request != request:
        raise BadUserInput(
            "idempotencyKey",
            f"already used at {kept.at} for another {kept.operation} call; "
            "send a new key for a different request",
        )
    return {**kept.response, "replayed": True}


def perform(
    *,
    principal: Principal,
    store: GraphStore,
    operation: str,
    arguments: dict[str, Any],
    idempotency_key: str | None,
    plan: Callable[[datetime], Plan],
) -> dict[str, Any]:
    """Run `plan(at)` and write what it plans, once. The answer carries the
    mutation's `id` and `at`, and `replayed: True` when it was written before.
    Every argument is checked to be storable before anything is looked up."""
    for name, value in arguments.items():
        storable(value, name)
    if idempotency_key is not None:
        storable(idempotency_key, "idempotencyKey")
        idempotency_key = idempotency_key.strip()
        if not idempotency_key or len(idempotency_key) > KEY_LENGTH:
            raise BadUserInput("idempotencyKey", f"1 to {KEY_LENGTH} characters")
    request = request_hash(operation, arguments)
    if idempotency_key is not None:
        kept = store.mutation_record(principal.organisation, principal.role.value, idempotency_key)
        if kept is not None:
            return _replayed(kept, operation, request)
    at = now()
    planned = plan(at)
    if not planned.write:
        return {**planned.response, "mutation": None, "replayed": False}
    mutation_id, stamp = uuid.uuid4().hex, at.isoformat(timespec="microseconds")
    record = MutationRecord(
        id=mutation_id,
        operation=operation,
        organisation=principal.organisation,
        role=principal.role.value,
        key_id=principal.key_id,
        at=stamp,
        idempotency_key=idempotency_key,
        request=request,
        # The answer names its own mutation (id and time), so that a replay does too.
        response={**planned.response, "mutation": {"id": mutation_id, "at": stamp}},
    )
    kept = store.apply(
        Mutation(
            record,
            planned.batch,
            planned.removals,
            planned.verdicts,
            requests=planned.requests,
            actions=planned.actions,
        )
    )
    if kept.id != record.id:  # another call with the same key got there first
        return _replayed(kept, operation, request)
    return {**record.response, "replayed": False}
