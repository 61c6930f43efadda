"""A member's measures of corrective actions on a day (DOMAIN.md), over the
findings it can see on nodes of its network (audits visible to it covering a
node at tier >= 1; the member itself is not part of its network):

- open on day d: the audit's date is on or before d, and the finding is open, or
  was closed by a plan verified after d (a finding loaded closed, with no
  verified plan, has no closing day and is never open);
- overdue: open on d with a due day before d (the due day as it is now, moved by
  any extension granted: OVERDUE_FINDING's rule);
- closed in the last 90 days: verified on a day v with 0 <= d - v < 90;
- median days to close: over the findings verified on v with 0 <= d - v < 365,
  the median of v - the audit's date (None when there is none).

A plan's verified day is the UTC day of its last `verified` step.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime

from access.principal import Principal
from graph.model import ActionStatus, CorrectiveAction, FindingStatus, Severity, StepKind
from graph.store import GraphStore
from views.member import member_view

CLOSED_WINDOW = 90
MEDIAN_WINDOW = 365


@dataclass(frozen=True)
class FindingMeasures:
    member: str
    as_of: date
    open_by_severity: dict[str, int]  # critical, major, minor
    overdue: int
    closed_last_90_days: int
    verified_last_365_days: int
    median_days_to_close: float | None

    @property
    def open(self) -> int:
        return sum(self.open_by_severity.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "member": self.member,
            "as_of": self.as_of.isoformat(),
            "open": self.open,
            "open_by_severity": self.open_by_severity,
            "overdue": self.overdue,
            "closed_last_90_days": self.closed_last_90_days,
            "verified_last_365_days": self.verified_last_365_days,
            "median_days_to_close": self.median_days_to_close,
        }


def verified_day(plan: CorrectiveAction | None) -> date | None:
    """The UTC day its plan was verified on, when it is verified."""
    if plan is None or plan.status != ActionStatus.VERIFIED:
        return None
    days = [s.at for s in plan.history if s.kind == StepKind.VERIFIED]
    return datetime.fromisoformat(max(days)).date() if days else None


def finding_measures(
    *, principal: Principal, store: GraphStore, as_of: date | None = None
) -> FindingMeasures:
    """The principal's member's measures on `as_of` (default today)."""
    view = member_view(principal=principal, store=store)
    day = as_of or date.today()
    audits = view.projection.audits
    in_network = view.network.tier[audits.organisation] >= 1
    ids = [str(a) for a in audits.ids[view.visible_audits & in_network].tolist()]
    audit_dates = {a.id: a.audit_date for a in store.audits(ids)}
    findings = store.findings_of(ids)
    plans = {p.finding: p for p in store.corrective_actions([f.id for f in findings])}
    open_by = {s.value: 0 for s in Severity}
    overdue = closed_90 = 0
    to_close: list[int] = []
    for f in findings:
        started = audit_dates[f.audit]
        if started > day:
            continue  # not raised yet on the day: neither open nor closed
        closed = verified_day(plans.get(f.id))
        if closed is not None and closed < started:  # a later load moved the audit's day
            closed = started
        if closed is not None and 0 <= (day - closed).days < MEDIAN_WINDOW:
            to_close.append((closed - started).days)
            closed_90 += (day - closed).days < CLOSED_WINDOW
        is_open = f.status == FindingStatus.OPEN or (closed is not None and closed > day)
        if is_open:
            open_by[f.severity.value] += 1
            overdue += f.due_date is not None and f.due_date < day
    median = float(statistics.median(to_close)) if to_close else None
    return FindingMeasures(view.member, day, open_by, overdue, closed_90, len(to_close), median)
