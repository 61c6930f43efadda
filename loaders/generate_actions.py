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
    Finding,
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


EXTENDED = 0.35  # odds that the owner of an open finding's plan asks for a later due day
ANSWERS = ((), (StepKind.EXTENSION_GRANTED,), (StepKind.EXTENSION_REFUSED,))


def _extension(
    rnd: random.Random, finding: Finding, status: ActionStatus, start: date, turn: int
) -> tuple[date | None, tuple[StepKind, ...]]:
    """A due day asked for (and its answer, or none yet; the answers take turns, so
    a forum holds each): granted, it is the finding's due_date now (the grant moved
    it there); otherwise a later day."""
    if status == ActionStatus.VERIFIED or rnd.random() >= EXTENDED:
        return None, ()
    answer = ANSWERS[turn % len(ANSWERS)]
    if answer == (StepKind.EXTENSION_GRANTED,):
        if finding.due_date is None:
            return None, ()
        return finding.due_date, answer
    due = finding.due_date or start + timedelta(days=90)
    return due + timedelta(days=rnd.choice((14, 30, 60))), answer


def _distinct(rnd: random.Random, span: int, k: int) -> list[int]:
    """k distinct day offsets in 0..span, sorted (random.sample is slower for a few)."""
    picked: set[int] = set()
    while len(picked) < k:
        picked.add(int(rnd.random() * (span + 1)))
    return sorted(picked)


def corrective_actions(batch: GraphBatch, *, seed: int, today: date) -> list[CorrectiveAction]:
    rnd = random.Random(seed * 7919 + 1)
    audit_day = {a.id: a.audit_date for a in batch.audits}
    out = []
    turn = 0  # extensions made so far
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
        extension, answer = _extension(rnd, f, status, start, turn)
        extra = [] if extension is None else [StepKind.EXTENSION_REQUESTED, *answer]
        if span + 1 < len(kinds) + len(extra):
            extension, extra = None, []
        days = [start + timedelta(days=d) for d in _distinct(rnd, span, len(kinds) + len(extra))]
        at_extension = sorted(rnd.sample(range(1, len(days)), len(extra))) if extra else []
        stage_days = [d for n, d in enumerate(days) if n not in at_extension]
        steps = [
            ActionStep(_at(d), k, None, "load") for d, k in zip(stage_days, kinds, strict=True)
        ]
        steps += [
            ActionStep(_at(days[n]), k, None, "load", None, extension)
            for n, k in zip(at_extension, extra, strict=True)
        ]
        steps.sort(key=lambda step: step.at)
        pending = extension if extra == [StepKind.EXTENSION_REQUESTED] else None
        turn += extension is not None
        done = status in (ActionStatus.COMPLETED, ActionStatus.VERIFIED)
        out.append(
            CorrectiveAction(
                f.id,
                f"Corrective action for {f.category or 'the finding'}",
                start + timedelta(days=90),
                status,
                "evidence on file" if done else None,
                "not specific enough" if status == ActionStatus.REJECTED else None,
                pending,
                tuple(steps),
            )
        )
    return out
