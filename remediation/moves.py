"""The moves of a plan (DOMAIN.md, "Corrective actions"), each one mutation
(mutations.record.perform: one transaction, recorded, idempotent).

    (none) or rejected --propose (owner)--> proposed
    proposed  --accept (member)--> accepted
    accepted  --complete (owner, evidence)--> completed
    completed --verify (member or operator)--> verified: the finding is closed
    proposed or completed --reject (member, reason)--> rejected
    extension: the owner asks a later due day; a member grants (the finding's
    due_date moves) or refuses.

A role that may never make a move gets FORBIDDEN; a finding the principal cannot
see NOT_FOUND; a move out of order BAD_USER_INPUT (field `finding`), read in the
mutation's own plan so that it judges the state it writes over.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from access.errors import BadUserInput
from access.principal import Principal, Role
from graph.model import (
    ActionStatus,
    ActionStep,
    CorrectiveAction,
    FindingStatus,
    GraphBatch,
    StepKind,
)
from graph.store import GraphStore
from loaders.rows import day
from mutations import checks
from mutations.record import Plan, perform
from remediation.reach import Reached, reach
from views.member import require_role

OWNER = (Role.SUPPLIER,)
MEMBER = (Role.SOURCING,)
VERIFIERS = (Role.SOURCING, Role.OPERATOR)


def _plan_of(store: GraphStore, finding: str) -> CorrectiveAction | None:
    found = store.corrective_actions([finding])
    return found[0] if found else None


def _out_of_order(message: str) -> BadUserInput:
    return BadUserInput("finding", message)


def _step(principal: Principal, at: datetime, kind: StepKind, **more: Any) -> ActionStep:
    stamp = at.isoformat(timespec="microseconds")
    return ActionStep(stamp, kind, principal.organisation, principal.role.value, **more)


def _answer(reached: Reached, plan: CorrectiveAction, due: date | None) -> dict[str, Any]:
    return {
        "finding": reached.finding.id,
        "status": plan.status.value,
        "dueDate": due.isoformat() if due else None,
        "findingStatus": reached.finding.status.value
        if plan.status != ActionStatus.VERIFIED
        else FindingStatus.CLOSED.value,
    }


def _move(
    principal: Principal,
    store: GraphStore,
    operation: str,
    finding: str,
    arguments: dict[str, Any],
    idempotency_key: str | None,
    roles: tuple[Role, ...],
    decide: Any,  # (reached, plan or None, at) -> (new plan, batch)
) -> dict[str, Any]:
    require_role(principal, *roles)
    reach(principal, store, finding)  # NOT_FOUND before anything else is said

    def plan(at: datetime) -> Plan:
        reached = reach(principal, store, finding)
        current = _plan_of(store, finding)
        new, batch = decide(reached, current, at)
        due = batch.findings[0].due_date if batch.findings else reached.finding.due_date
        return Plan(_answer(reached, new, due), batch, actions=(new,))

    return perform(
        principal=principal,
        store=store,
        operation=operation,
        arguments={"finding": finding, **arguments},
        idempotency_key=idempotency_key,
        plan=plan,
    )


def _open(reached: Reached) -> None:
    if reached.finding.status != FindingStatus.OPEN:
        raise _out_of_order("the finding is closed")


def _target(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return day(value)
    except ValueError:
        raise BadUserInput("targetDate", f"not a day YYYY-MM-DD (got {value!r})") from None


def propose_action(
    *,
    principal: Principal,
    store: GraphStore,
    finding: str,
    description: str,
    target_date: date | str,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """The owner proposes a plan: the first one, or again after a rejection."""
    text = checks.text(description, "description", longest=2000)
    target = _target(target_date)

    def decide(reached: Reached, current: CorrectiveAction | None, at: datetime):
        _open(reached)
        if current is not None and current.status != ActionStatus.REJECTED:
            raise _out_of_order(
                f"its plan is {current.status.value}: only a rejected one is proposed again"
            )
        raised = reached.audit.audit_date
        if target < raised:  # a typo of a year, most likely: due before it was found
            raise BadUserInput(
                "targetDate",
                f"{target} is before the day its finding was raised ({raised}, the audit's day)",
            )
        step = _step(principal, at, StepKind.PROPOSED, note=text)
        base = current or CorrectiveAction(finding, text or "", target, ActionStatus.PROPOSED)
        new = replace(
            base,
            description=text or "",
            target_date=target,
            status=ActionStatus.PROPOSED,
            evidence=None,
            history=(step,),
        )
        return new, GraphBatch()

    arguments = {"description": text, "targetDate": target.isoformat()}
    return _move(
        principal, store, "proposeAction", finding, arguments, idempotency_key, OWNER, decide
    )


def _transition(
    principal: Principal,
    store: GraphStore,
    operation: str,
    finding: str,
    idempotency_key: str | None,
    roles: tuple[Role, ...],
    allowed: tuple[ActionStatus, ...],
    to: ActionStatus,
    kind: StepKind,
    note: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    def decide(reached: Reached, current: CorrectiveAction | None, at: datetime):
        _open(reached)
        if current is None:
            raise _out_of_order("it has no corrective action: its owner proposes one first")
        if current.status not in allowed:
            wanted = " or ".join(s.value for s in allowed)
            raise _out_of_order(f"its plan is {current.status.value}, not {wanted}")
        said = note
        lapsed = to == ActionStatus.VERIFIED and current.extension is not None
        if lapsed:  # a due day still asked for lapses with the finding's closing: said so
            said = f"the due day asked, {current.extension}, lapsed"
        new = replace(
            current, status=to, history=(_step(principal, at, kind, note=said),), **fields
        )
        batch = GraphBatch()
        if to == ActionStatus.VERIFIED:  # closes the finding, in the same transaction
            batch.findings.append(replace(reached.finding, status=FindingStatus.CLOSED))
        if lapsed:
            new = replace(new, extension=None)
        return new, batch

    arguments = {"note": note, **{k: v for k, v in fields.items() if v is not None}}
    return _move(principal, store, operation, finding, arguments, idempotency_key, roles, decide)


def accept_action(
    *, principal: Principal, store: GraphStore, finding: str, idempotency_key: str | None = None
) -> dict[str, Any]:
    """A member that sees the finding accepts a proposed plan."""
    return _transition(
        principal, store, "acceptAction", finding, idempotency_key, MEMBER,
        (ActionStatus.PROPOSED,), ActionStatus.ACCEPTED, StepKind.ACCEPTED,
    )  # fmt: skip


def reject_action(
    *,
    principal: Principal,
    store: GraphStore,
    finding: str,
    reason: str,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """A member that sees the finding sends a proposed or completed plan back."""
    why = checks.text(reason, "reason")
    return _transition(
        principal, store, "rejectAction", finding, idempotency_key, MEMBER,
        (ActionStatus.PROPOSED, ActionStatus.COMPLETED), ActionStatus.REJECTED,
        StepKind.REJECTED, why, reason=why,
    )  # fmt: skip


def complete_action(
    *,
    principal: Principal,
    store: GraphStore,
    finding: str,
    evidence: str,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """The owner says an accepted plan is done, with its evidence."""
    shown = checks.text(evidence, "evidence", longest=2000)
    return _transition(
        principal, store, "completeAction", finding, idempotency_key, OWNER,
        (ActionStatus.ACCEPTED,), ActionStatus.COMPLETED, StepKind.COMPLETED,
        shown, evidence=shown,
    )  # fmt: skip


def verify_action(
    *, principal: Principal, store: GraphStore, finding: str, idempotency_key: str | None = None
) -> dict[str, Any]:
    """A member that sees the finding (or an operator) verifies a completed plan:
    the finding is closed in the same transaction."""
    return _transition(
        principal, store, "verifyAction", finding, idempotency_key, VERIFIERS,
        (ActionStatus.COMPLETED,), ActionStatus.VERIFIED, StepKind.VERIFIED,
    )  # fmt: skip


def request_extension(
    *,
    principal: Principal,
    store: GraphStore,
    finding: str,
    due_date: date | str,
    reason: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """The owner asks for a later due day, once at a time, while its plan is not
    verified."""
    day = _target(due_date)
    why = checks.text(reason, "reason", required=False)

    def decide(reached: Reached, current: CorrectiveAction | None, at: datetime):
        _open(reached)
        if current is None:
            raise _out_of_order("it has no corrective action: propose one first")
        if current.extension is not None:
            raise _out_of_order(f"an extension to {current.extension} is already asked")
        due = reached.finding.due_date
        if due is not None and day <= due:
            raise BadUserInput("dueDate", f"must be after the finding's due day {due}")
        raised = reached.audit.audit_date
        if day < raised:  # a finding without a due day: never before it was raised
            raise BadUserInput(
                "dueDate", f"{day} is before the day its finding was raised ({raised})"
            )
        step = _step(principal, at, StepKind.EXTENSION_REQUESTED, note=why, due_date=day)
        return replace(current, extension=day, history=(step,)), GraphBatch()

    arguments = {"dueDate": day.isoformat(), "reason": why}
    return _move(
        principal, store, "requestExtension", finding, arguments, idempotency_key, OWNER, decide
    )


def answer_extension(
    *,
    principal: Principal,
    store: GraphStore,
    finding: str,
    grant: bool,
    reason: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """A member that sees the finding grants (the finding's due_date moves) or
    refuses the due day asked for."""
    why = checks.text(reason, "reason", required=False)

    def decide(reached: Reached, current: CorrectiveAction | None, at: datetime):
        _open(reached)
        if current is None or current.extension is None:
            raise _out_of_order("no extension is asked for it")
        asked = current.extension
        kind = StepKind.EXTENSION_GRANTED if grant else StepKind.EXTENSION_REFUSED
        step = _step(principal, at, kind, note=why, due_date=asked)
        batch = GraphBatch()
        if grant:
            batch.findings.append(replace(reached.finding, due_date=asked))
        return replace(current, extension=None, history=(step,)), batch

    arguments = {"grant": grant, "reason": why}
    return _move(
        principal, store, "answerExtension", finding, arguments, idempotency_key, MEMBER, decide
    )
