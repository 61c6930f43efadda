"""The measures per member and day against a naive re-statement of DOMAIN.md on
small generated forums, boundary days included (a plan verified exactly 0, 89,
90, 364 and 365 days before the day asked)."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest

from access.principal import Principal, Role
from graph.model import (
    ActionStatus,
    ActionStep,
    Audit,
    CorrectiveAction,
    Finding,
    FindingStatus,
    GraphBatch,
    Recognition,
    Severity,
    Share,
    Sourcing,
    StepKind,
)
from graph.store import Mutation, MutationRecord
from remediation.measures import finding_measures
from tests.factories import org

DAY = date(2026, 6, 30)
MEMBERS = ("M1", "M2", "M3")


def _at(day: date) -> str:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC).isoformat(timespec="microseconds")


def generated(seed: int) -> tuple[GraphBatch, list[CorrectiveAction]]:
    rnd = random.Random(seed)
    suppliers = [f"S{n}" for n in range(1, 13)]
    batch = GraphBatch(
        organisations=[*(org(m, "member") for m in MEMBERS), *(org(s) for s in suppliers)],
        recognitions=[Recognition(m, "SMETA") for m in MEMBERS],
    )
    for m in MEMBERS:
        for s in rnd.sample(suppliers, 3):
            batch.sourcing.append(Sourcing(m, s, "cocoa"))
    for _ in range(16):  # cycles and diamonds among suppliers
        a, b = rnd.sample(suppliers, 2)
        batch.sourcing.append(Sourcing(a, b, "cocoa"))
    batch.sourcing.append(Sourcing("S1", "M3", "cocoa"))  # a member inside another's network
    actions: list[CorrectiveAction] = []
    # verified days on and around the windows' bounds
    offsets = [0, 1, 89, 90, 91, 364, 365, 366, 400, -5]
    n = 0
    for s in [*suppliers, "M3"]:
        for k in range(rnd.randint(1, 3)):
            start = DAY - timedelta(days=rnd.choice([10, 100, 200, 500]))
            commissioner = rnd.choice([*MEMBERS, s])
            audit = Audit(f"A-{s}-{k}", s, "SMETA", start, start + timedelta(days=900), commissioner,
                          shared_with_all=rnd.random() < 0.2)  # fmt: skip
            batch.audits.append(audit)
            for m in rnd.sample(MEMBERS, rnd.randint(0, 2)):
                batch.shares.append(Share(audit.id, m))
            for _ in range(rnd.randint(0, 4)):
                n += 1
                fid = f"F{n}"
                severity = rnd.choice(list(Severity))
                due = (
                    DAY + timedelta(days=rnd.choice([-30, -1, 0, 1, 30]))
                    if rnd.random() < 0.8
                    else None
                )
                state = rnd.choice(
                    ["open", "closed", "verified", "proposed", "accepted", "completed"]
                )
                status = (
                    FindingStatus.CLOSED if state in ("closed", "verified") else FindingStatus.OPEN
                )
                batch.findings.append(Finding(fid, audit.id, severity, status, None, due))
                if state in ("open", "closed"):
                    continue
                steps = [
                    ActionStep(
                        _at(start + timedelta(days=1)), StepKind.PROPOSED, s, "supplier", "x"
                    )
                ]
                if state == "verified":
                    closed = DAY - timedelta(days=rnd.choice(offsets))
                    closed = max(closed, start)
                    steps.append(ActionStep(_at(closed), StepKind.VERIFIED, None, "operator"))
                actions.append(
                    CorrectiveAction(fid, "x", DAY, ActionStatus(state), history=tuple(steps))
                )
    return batch, actions


def naive(batch: GraphBatch, actions: list[CorrectiveAction], member: str, day: date) -> dict:
    """DOMAIN.md, word for word, on plain lists."""
    network: set[str] = set()
    frontier = [member]
    while frontier:
        v = frontier.pop()
        for e in batch.sourcing:
            if e.buyer == v and e.seller != member and e.seller not in network:
                network.add(e.seller)
                frontier.append(e.seller)
    shared = {(s.audit, s.member) for s in batch.shares}
    audits = {
        a.id: a
        for a in batch.audits
        if a.organisation in network
        and (a.commissioned_by == member or (a.id, member) in shared or a.shared_with_all)
    }
    verified = {}
    for p in actions:
        if p.status == ActionStatus.VERIFIED:
            verified[p.finding] = max(
                datetime.fromisoformat(s.at).date()
                for s in p.history
                if s.kind == StepKind.VERIFIED
            )
    out = {"critical": 0, "major": 0, "minor": 0, "overdue": 0, "closed90": 0, "days": []}
    for f in batch.findings:
        if f.audit not in audits:
            continue
        audit_day = audits[f.audit].audit_date
        v = verified.get(f.id)
        was_open = audit_day <= day and (
            f.status == FindingStatus.OPEN or (v is not None and v > day)
        )
        if was_open:
            out[f.severity.value] += 1
            if f.due_date is not None and f.due_date < day:
                out["overdue"] += 1
        if v is not None and day - timedelta(days=90) < v <= day:
            out["closed90"] += 1
        if v is not None and day - timedelta(days=365) < v <= day:
            out["days"].append((v - audit_day).days)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_measures_match_the_definitions(engine_store, seed):
    store = engine_store
    batch, actions = generated(seed)
    store.write(batch)
    record = MutationRecord("m", "load", None, "operator", "k", _at(DAY), None, "h", {})
    store.apply(Mutation(record, actions=tuple(actions)))
    days = [DAY, DAY - timedelta(days=1), DAY + timedelta(days=1), DAY + timedelta(days=90),
            DAY + timedelta(days=365), DAY - timedelta(days=200)]  # fmt: skip
    for member in MEMBERS:
        principal = Principal(Role.ANALYST, member, "k")
        for day in days:
            got = finding_measures(principal=principal, store=store, as_of=day)
            want = naive(batch, actions, member, day)
            assert got.open_by_severity == {k: want[k] for k in ("critical", "major", "minor")}
            assert got.overdue == want["overdue"]
            assert got.closed_last_90_days == want["closed90"], (member, day)
            assert got.verified_last_365_days == len(want["days"])
            expected = statistics.median(want["days"]) if want["days"] else None
            assert got.median_days_to_close == expected


def test_the_windows_bounds(engine_store):
    """A plan verified 89 days before counts as closed in the last 90 days, 90
    days before does not; likewise 364 and 365 for the median."""
    store = engine_store
    start = date(2025, 1, 1)
    batch = GraphBatch(
        organisations=[org("M1", "member"), org("S1")],
        sourcing=[Sourcing("M1", "S1", "cocoa")],
        audits=[Audit("A1", "S1", "SMETA", start, date(2027, 1, 1), "M1")],
        findings=[
            Finding("F1", "A1", Severity.MAJOR, FindingStatus.CLOSED),
            Finding("F2", "A1", Severity.MINOR, FindingStatus.CLOSED),
        ],
    )
    store.write(batch)
    closed = date(2025, 3, 1)
    plans = [
        CorrectiveAction(
            f,
            "x",
            closed,
            ActionStatus.VERIFIED,
            history=(ActionStep(_at(closed), StepKind.VERIFIED, "M1", "sourcing"),),
        )  # fmt: skip
        for f in ("F1", "F2")
    ]
    record = MutationRecord("m", "load", None, "operator", "k", _at(DAY), None, "h", {})
    store.apply(Mutation(record, actions=tuple(plans)))
    analyst = Principal(Role.ANALYST, "M1", "k")

    def measured(days: int):
        return finding_measures(principal=analyst, store=store, as_of=closed + timedelta(days=days))

    assert measured(0).closed_last_90_days == 2
    assert measured(89).closed_last_90_days == 2
    assert measured(90).closed_last_90_days == 0
    assert measured(364).median_days_to_close == (closed - start).days
    assert measured(365).median_days_to_close is None
    assert measured(-1).open_by_severity == {"critical": 0, "major": 1, "minor": 1}
    assert measured(-1).closed_last_90_days == 0


def test_a_plan_verified_before_its_audits_day_counts_from_that_day(engine_store):
    """An audit written again with a later audit_date than its plan's verified step
    (a load can do that; a plan's own rows are refused so): the finding is not
    raised before the audit's day, and is closed on it, never at minus days."""
    store = engine_store
    verified, moved = date(2026, 2, 1), date(2026, 3, 1)
    audit = Audit("A1", "S1", "SMETA", date(2026, 1, 10), date(2027, 1, 1), "M1")
    store.write(
        GraphBatch(
            organisations=[org("M1", "member"), org("S1")],
            sourcing=[Sourcing("M1", "S1", "cocoa")],
            audits=[audit],
            findings=[Finding("F1", "A1", Severity.MAJOR, FindingStatus.CLOSED)],
        )
    )
    step = ActionStep(_at(verified), StepKind.VERIFIED, "M1", "sourcing")
    plan = CorrectiveAction("F1", "x", verified, ActionStatus.VERIFIED, history=(step,))
    record = MutationRecord("m", "load", None, "operator", "k", _at(DAY), None, "h", {})
    store.apply(Mutation(record, actions=(plan,)))
    store.write(GraphBatch(audits=[Audit("A1", "S1", "SMETA", moved, date(2027, 1, 1), "M1")]))
    analyst = Principal(Role.ANALYST, "M1", "k")

    def measured(day: date):
        return finding_measures(principal=analyst, store=store, as_of=day)

    before = measured(date(2026, 2, 15))  # verified, but the audit is not done yet
    assert before.open_by_severity["major"] == 0 and before.closed_last_90_days == 0
    after = measured(date(2026, 3, 15))
    assert after.closed_last_90_days == 1 and after.median_days_to_close == 0


@pytest.mark.parametrize("seed", [5, 6])
def test_measures_match_the_definitions_on_the_forum_generator(engine_store, seed):
    """loaders.generate's network with plans in every state (loaders.generate_actions),
    due-date extensions among them, on the windows' edges and an open finding's due day."""
    from loaders.generate import REFERENCE_DAY, generate
    from loaders.generate_actions import corrective_actions

    store = engine_store
    batch = generate(nodes=400, members=3, seed=seed)
    actions = corrective_actions(batch, seed=seed, today=REFERENCE_DAY)
    assert {a.status for a in actions} == set(ActionStatus)
    store.write(batch)
    record = MutationRecord("m", "load", None, "operator", "k", _at(DAY), None, "h", {})
    store.apply(Mutation(record, actions=tuple(actions)))
    verified = sorted({d for a in actions for s in a.history if s.kind == StepKind.VERIFIED
                       for d in [datetime.fromisoformat(s.at).date()]})  # fmt: skip
    days = [REFERENCE_DAY, verified[len(verified) // 2] + timedelta(days=89)]
    days += [verified[-1] + timedelta(days=90), verified[0] + timedelta(days=365)]
    days += [verified[0] + timedelta(days=364), verified[-1] + timedelta(days=89)]
    # an open finding's due day (not overdue yet) and the day after (overdue)
    due = sorted(f.due_date for f in batch.findings
                 if f.status == FindingStatus.OPEN and f.due_date is not None)  # fmt: skip
    days += [due[len(due) // 2], due[len(due) // 2] + timedelta(days=1)]
    kinds = {s.kind for a in actions for s in a.history}
    assert {StepKind.EXTENSION_GRANTED, StepKind.EXTENSION_REFUSED} <= kinds
    assert any(a.extension is not None for a in actions)  # one waiting for its answer
    for member in store.members():
        principal = Principal(Role.ANALYST, member, "k")
        for day in days:
            got = finding_measures(principal=principal, store=store, as_of=day)
            want = naive(batch, actions, member, day)
            assert got.open_by_severity == {k: want[k] for k in ("critical", "major", "minor")}
            assert (got.overdue, got.closed_last_90_days) == (want["overdue"], want["closed90"])
            expected = statistics.median(want["days"]) if want["days"] else None
            assert got.median_days_to_close == expected
