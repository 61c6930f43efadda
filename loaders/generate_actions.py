"""Corrective actions for a generated network, in every state, the same for the
same seed: drawn from their own generator, so the network's rows stay what they
are without them. A closed finding has a verified plan (or none: closed before
tiergraph); an open one a plan proposed, accepted, rejected or completed, or none.
Every day lies between the audit's date and today, one step a day (a loaded
history keeps days only, and reads back in the order of its days)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from graph.model import (
    ActionStatus,
    ActionStep,
    CorrectiveAction,
    FindingStatus,
    GraphBatch,
    StepKind,
)

OPEN_STATES = (
    None,
    ActionStatus.PROPOSED,
    ActionStatus.ACCEPTED,
    ActionStatus.REJECTED,
    ActionStatus.COMPLETED,
)
STAGES = (
    (ActionStatus.PROPOSED, StepKind.PROPOSED),
    (ActionStatus.ACCEPTED, StepKind.ACCEPTED),
    (ActionStatus.COMPLETED, StepKind.COMPLETED),
    (ActionStatus.VERIFIED, StepKind.VERIFIED),
)


def _at(day: date) -> str:
    return f"{day.isoformat()}T12:00:00.000000+00:00"


def corrective_actions(batch: GraphBatch, *, seed: int, today: date) -> list[CorrectiveAction]:
    rnd = random.Random(seed * 7919 + 1)
    audit_day = {a.id: a.audit_date for a in batch.audits}
    out = []
    for f in batch.findings:
        start = audit_day[f.audit]
        if f.status == FindingStatus.CLOSED:
            status = ActionStatus.VERIFIED if rnd.random() < 0.7 else None
        else:
            status = rnd.choice(OPEN_STATES)
        if status is None or start > today:
            continue
        wanted = [ActionStatus.PROPOSED] if status == ActionStatus.REJECTED else None
        reached = wanted or [s for s, _ in STAGES][: [s for s, _ in STAGES].index(status) + 1]
        kinds = [k for _, k in STAGES][: len(reached)]
        if status == ActionStatus.REJECTED:
            kinds.append(StepKind.REJECTED)
        span = (today - start).days
        if span + 1 < len(kinds):  # one step a day: a history reads back in its order
            continue
        days = sorted(start + timedelta(days=d) for d in rnd.sample(range(span + 1), len(kinds)))
        steps = [ActionStep(_at(d), k, None, "load") for d, k in zip(days, kinds, strict=True)]
        done = status in (ActionStatus.COMPLETED, ActionStatus.VERIFIED)
        out.append(
            CorrectiveAction(
                f.id,
                f"Corrective action for {f.category or 'the finding'}",
                start + timedelta(days=90),
                status,
                "evidence on file" if done else None,
                "not specific enough" if status == ActionStatus.REJECTED else None,
                None,
                tuple(steps),
            )
        )
    return out
