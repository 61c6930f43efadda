"""Query fields: a member's corrective-action measures, one finding's plan."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from api.network.common import call
from api.remediation.types import CorrectiveAction, FindingMeasures
from remediation import measures, seen


@strawberry.type
class RemediationQuery:
    @strawberry.field(
        description="Sourcing and analyst keys: open findings by severity, overdue, closed in "
        "the last 90 days and the median days to a verified close, on a day (default today)."
    )
    async def finding_measures(self, info: Info, as_of: date | None = None) -> FindingMeasures:
        return FindingMeasures.of(await call(info, measures.finding_measures, as_of=as_of))

    @strawberry.field(
        description="One finding's corrective action (null when none); NOT_FOUND for a finding "
        "you cannot see."
    )
    async def corrective_action(
        self, info: Info, finding: strawberry.ID
    ) -> CorrectiveAction | None:
        found = await call(info, seen.action_of, finding=str(finding))
        return CorrectiveAction.of(found) if found is not None else None
