"""One mutation, written once: who made it and when, and the same answer when
its idempotency key comes again.

`perform` plans the mutation (checked against the principal and validated),
then applies it in one transaction with its record; the store looks for a
record kept under the (organisation, role, idempotency key) in that transaction
(on Neo4j in the write's own statement: no round trip before planning). Found
with the same arguments, its answer is returned and nothing is written; found
with other arguments, the key is refused. A plan that fails or writes nothing
(a question back) looks for the record then: a repeat whose first call changed
what the plan checks still gets the first answer. Two racing calls with one key
both plan; the store keeps the first, and the second gets the first's answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from access.errors import BadUserInput
from access.principal import Principal
from graph import read_scope
from graph.model import CorrectiveAction, GraphBatch
from graph.store import (
    GraphStore,
    MatchVerdict,
    Mutation,
    MutationRecord,
    Removals,
    RequirementExists,
    ShareRequest,
)
from mutations.checks import storable
from mutations.ids import random_hex

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
    new_requirements: tuple[str, ...] = ()  # created by the batch, found absent (Mutation)


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


def _kept(principal: Principal, store: GraphStore, key: str | None) -> MutationRecord | None:
    if key is None:
        return None
    return store.mutation_record(principal.organisation, principal.role.value, key)


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
    at = now()
    try:
        return _perform(principal, store, operation, idempotency_key, request, at, plan)
    except RequirementExists:
        # Created by another call since the plan read (two members requiring one new
        # id at the same moment): planned again, it finds the id taken, or its own.
        try:
            return _perform(principal, store, operation, idempotency_key, request, at, plan)
        except RequirementExists as again:  # a read still behind the write (a replica)
            raise BadUserInput(
                "requirement",
                f"{', '.join(map(repr, again.ids))} was created by another call at the same"
                " moment: send again to be answered on it",
            ) from None


def _perform(
    principal: Principal,
    store: GraphStore,
    operation: str,
    idempotency_key: str | None,
    request: str,
    at: datetime,
    plan: Callable[[datetime], Plan],
) -> dict[str, Any]:
    try:
        planned = plan(at)
    except Exception:
        # A repeat whose first call changed what its plan checks (the edge removed,
        # the organisation created): the first answer, if there was one.
        if (kept := _kept(principal, store, idempotency_key)) is not None:
            return _replayed(kept, operation, request)
        raise
    if not planned.write:
        if (kept := _kept(principal, store, idempotency_key)) is not None:
            return _replayed(kept, operation, request)
        return {**planned.response, "mutation": None, "replayed": False}
    mutation_id, stamp = random_hex(), at.isoformat(timespec="microseconds")
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
    read_scope.unpin()  # what is read after the write must see it
    kept = store.apply(
        Mutation(
            record,
            planned.batch,
            planned.removals,
            planned.verdicts,
            requests=planned.requests,
            actions=planned.actions,
            new_requirements=planned.new_requirements,
        )
    )
    if kept.id != record.id:  # another call with the same key got there first
        return _replayed(kept, operation, request)
    return {**record.response, "replayed": False}
