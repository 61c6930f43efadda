"""A plan as a principal sees it. Every principal that sees a finding sees the same
plan and history; who made a step is named only when it is the asker itself or
the plan's owner (the audited organisation), or to an operator: naming another
member would say that it buys from the supplier (DOMAIN.md, "Who may do what")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from access.principal import Principal, Role
from graph.model import ActionStatus, CorrectiveAction, StepKind
from graph.store import GraphStore
from remediation.reach import reach


@dataclass(frozen=True)
class StepSeen:
    at: str
    kind: StepKind
    role: str
    by: str | None  # None: another member (or an operator)
    by_you: bool
    note: str | None
    due_date: date | None


@dataclass(frozen=True)
class ActionSeen:
    finding: str
    owner: str
    description: str
    target_date: date
    status: ActionStatus
    evidence: str | None
    reason: str | None
    extension: date | None
    history: list[StepSeen]


def seen(principal: Principal, plan: CorrectiveAction, owner: str) -> ActionSeen:
    me = principal.organisation
    steps = [
        StepSeen(
            s.at,
            s.kind,
            s.role,
            s.by if principal.role == Role.OPERATOR or s.by in (me, owner) else None,
            s.by is not None and s.by == me,
            s.note,
            s.due_date,
        )
        for s in plan.history
    ]
    return ActionSeen(
        plan.finding,
        owner,
        plan.description,
        plan.target_date,
        plan.status,
        plan.evidence,
        plan.reason,
        plan.extension,
        steps,
    )


def actions_of(
    *, principal: Principal, store: GraphStore, findings: list[tuple[str, str]]
) -> list[ActionSeen | None]:
    """The plan of each (finding, owner) the caller already knows the principal may
    see (it read the finding through a view restricted to it), in order; None
    when the finding has no plan."""
    plans = {p.finding: p for p in store.corrective_actions([f for f, _ in findings])}
    return [seen(principal, plans[f], owner) if f in plans else None for f, owner in findings]


def action_of(*, principal: Principal, store: GraphStore, finding: str) -> ActionSeen | None:
    """One finding's plan; NOT_FOUND for a finding the principal cannot see."""
    reached = reach(principal, store, finding)
    return actions_of(principal=principal, store=store, findings=[(finding, reached.owner)])[0]


def actions_for(
    *, principal: Principal, store: GraphStore, ids: list[str]
) -> list[ActionSeen | None]:
    """The plan of each finding in `ids`, in order (None: no plan), for findings the
    caller read through a view already restricted to the principal (a member's
    visible audits, a supplier's own): the API's DataLoader."""
    findings = {f.id: f for f in store.findings(ids)}
    owners = {a.id: a.organisation for a in store.audits({f.audit for f in findings.values()})}
    known = [(i, owners[findings[i].audit]) for i in ids if i in findings]
    plans = dict(
        zip(
            [i for i, _ in known],
            actions_of(principal=principal, store=store, findings=known),
            strict=True,
        )
    )
    return [plans.get(i) for i in ids]
