"""GraphQL types of corrective actions: a finding's plan and its history, the
answer of each move, and a member's measures."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from api.mutations.types import MUTATION_DOC, REPLAYED_DOC, MutationInfo, written
from api.network.common import loader
from graph.model import ActionStatus, StepKind
from remediation import seen as service
from remediation.measures import FindingMeasures as Measures

strawberry.enum(ActionStatus, description="Where a corrective action stands")
strawberry.enum(StepKind, description="What one step of a corrective action did")


@strawberry.type(description="One step of a corrective action: who, when, what.")
class ActionStep:
    at: str = strawberry.field(description="ISO 8601, UTC.")
    kind: StepKind
    role: str = strawberry.field(description="The role of the key that made it.")
    by: strawberry.ID | None = strawberry.field(
        description="Who made it: shown when it is you or the audited organisation "
        "(never another member); every organisation to operators."
    )
    by_you: bool
    note: str | None = strawberry.field(description="The description, reason or evidence given.")
    due_date: date | None = strawberry.field(description="The due day asked for or answered.")


@strawberry.type(
    description="A finding's corrective action, owned by the audited organisation: the same "
    "plan for every member that sees the finding."
)
class CorrectiveAction:
    finding: strawberry.ID
    owner: strawberry.ID = strawberry.field(description="The audited organisation.")
    description: str
    target_date: date
    status: ActionStatus
    evidence: str | None
    reason: str | None = strawberry.field(description="Why it was last sent back.")
    extension: date | None = strawberry.field(description="A due day asked for, not answered yet.")
    history: list[ActionStep] = strawberry.field(description="Every step, oldest first.")

    @classmethod
    def of(cls, a: service.ActionSeen) -> CorrectiveAction:
        return cls(
            finding=strawberry.ID(a.finding),
            owner=strawberry.ID(a.owner),
            description=a.description,
            target_date=a.target_date,
            status=a.status,
            evidence=a.evidence,
            reason=a.reason,
            extension=a.extension,
            history=[
                ActionStep(
                    at=s.at,
                    kind=s.kind,
                    role=s.role,
                    by=strawberry.ID(s.by) if s.by is not None else None,
                    by_you=s.by_you,
                    note=s.note,
                    due_date=s.due_date,
                )
                for s in a.history
            ],
        )


async def corrective_action_of(info: Info, finding: str) -> CorrectiveAction | None:
    """A finding's plan, for a finding type read through a restricted view."""
    found = await loader(info, "corrective_actions", service.actions_for).load(finding)
    return CorrectiveAction.of(found) if found is not None else None


@strawberry.type(description="A move of a corrective action, as written.")
class ActionMoved:
    finding: strawberry.ID
    status: ActionStatus
    due_date: date | None = strawberry.field(description="The finding's due day after the move.")
    finding_closed: bool = strawberry.field(description="True once a verified plan closed it.")
    mutation: MutationInfo | None = strawberry.field(description=MUTATION_DOC)
    replayed: bool = strawberry.field(description=REPLAYED_DOC)

    @strawberry.field(description="The plan as it stands now.")
    async def action(self, info: Info) -> CorrectiveAction | None:
        return await corrective_action_of(info, str(self.finding))

    @classmethod
    def of(cls, response: dict[str, Any]) -> ActionMoved:
        due = response["dueDate"]
        return cls(
            finding=strawberry.ID(response["finding"]),
            status=ActionStatus(response["status"]),
            due_date=date.fromisoformat(due) if due else None,
            finding_closed=response["findingStatus"] == "closed",
            **written(response),
        )


@strawberry.type(description="Open findings by severity.")
class OpenFindings:
    critical: int
    major: int
    minor: int
    total: int


@strawberry.type(
    description="The member's corrective-action measures on a day, over the findings it can "
    "see on nodes of its network (docs/api.md, Corrective actions)."
)
class FindingMeasures:
    as_of: date
    open: OpenFindings
    overdue: int = strawberry.field(description="Open with a due day before the day.")
    closed_last_90_days: int = strawberry.field(description="Verified in the 90 days ending on it.")
    verified_last_365_days: int
    median_days_to_close: float | None = strawberry.field(
        description="From the audit's date to the verified close, over the findings verified "
        "in the 365 days ending on the day; null when none."
    )

    @classmethod
    def of(cls, m: Measures) -> FindingMeasures:
        by = m.open_by_severity
        return cls(
            as_of=m.as_of,
            open=OpenFindings(
                critical=by["critical"], major=by["major"], minor=by["minor"], total=m.open
            ),
            overdue=m.overdue,
            closed_last_90_days=m.closed_last_90_days,
            verified_last_365_days=m.verified_last_365_days,
            median_days_to_close=m.median_days_to_close,
        )
