"""`corrective_actions` rows: checked on their own (states, days in order,
evidence and reasons), against the load and the store (the finding exists, one
plan per finding, verified goes with a closed finding), written beside the graph."""

from __future__ import annotations

from datetime import date

import pytest

from graph.model import ActionStatus, StepKind
from loaders.load import load
from tests.loaders.test_load import AUDITS, ORGS, problems, write

FINDINGS = """id,audit,severity,status,category,due_date
X1,A1,critical,open,child labour,2026-03-01
X2,A1,major,closed,hours,
X3,A1,minor,open,,
"""
HEADER = (
    "finding,description,target_date,status,evidence,reason,"
    "proposed_at,accepted_at,completed_at,verified_at,rejected_at\n"
)
GOOD = HEADER + (
    "X1,Remove children from the line,2026-04-01,accepted,,,2026-01-20,2026-01-25,,,\n"
    "X2,Cap overtime,2026-03-01,verified,rosters,,2026-01-20,2026-01-22,2026-02-10,2026-02-20,\n"
    "X3,Repaint,2026-05-01,rejected,,too vague,2026-01-20,,,,2026-01-21\n"
)


def _folder(tmp_path, actions: str):
    return write(
        tmp_path / "f",
        {
            "organisations.csv": ORGS,
            "sourcing.csv": "buyer,seller,commodity\nM1,S1,cocoa\n",
            "audits.csv": AUDITS,
            "findings.csv": FINDINGS,
            "corrective_actions.csv": actions,
        },
    )


def test_plans_load_with_their_history_and_load_again_once(engine_store, tmp_path):
    store = engine_store
    folder = _folder(tmp_path, GOOD)
    report = load(store, [folder], today=date(2026, 3, 1))
    assert report.ok, problems(report)
    assert report.written["corrective_actions"] == 3
    counts = store.counts()
    plans = {p.finding: p for p in store.corrective_actions(["X1", "X2", "X3"])}
    assert plans["X1"].status == ActionStatus.ACCEPTED
    assert [s.kind for s in plans["X2"].history] == [
        StepKind.PROPOSED, StepKind.ACCEPTED, StepKind.COMPLETED, StepKind.VERIFIED
    ]  # fmt: skip
    assert (
        plans["X2"].history[-1].at.startswith("2026-02-20")
        and plans["X2"].history[-1].role == "load"
    )
    assert plans["X3"].reason == "too vague"
    again = load(store, [folder], today=date(2026, 3, 1))
    assert again.ok and store.counts() == counts
    assert {p.finding: p for p in store.corrective_actions(["X1", "X2", "X3"])} == plans


BAD = {
    "unknown status": ("X1,d,2026-04-01,done,,,,,,,\n", "status"),
    "verified without its day": ("X2,d,2026-04-01,verified,e,,,,,,\n", "verified_at"),
    "completed without evidence": ("X1,d,2026-04-01,completed,,,2026-01-11,2026-01-12,2026-01-13,,\n", "evidence"),
    "rejected without a reason": ("X1,d,2026-04-01,rejected,,,2026-01-11,,,,2026-01-12\n", "reason"),
    "a later stage's day": ("X1,d,2026-04-01,proposed,,,2026-01-11,2026-01-12,,,\n", "accepted_at"),
    "days out of order": ("X1,d,2026-04-01,accepted,,,2026-01-15,2026-01-12,,,\n", "accepted_at"),
    "a day to come": ("X1,d,2026-04-01,proposed,,,2026-12-01,,,,\n", "proposed_at"),
    "unknown finding": ("NOPE,d,2026-04-01,proposed,,,,,,,\n", "finding"),
    "verified on an open finding": ("X1,d,2026-04-01,verified,e,,,,,2026-02-01,\n", "status"),
    "open plan on a closed finding": ("X2,d,2026-04-01,proposed,,,,,,,\n", "status"),
    "two plans of one finding": ("X1,d,2026-04-01,proposed,,,,,,,\nX1,e,2026-04-01,proposed,,,,,,,\n", "finding"),
    "due before its audit (2026-01-10)": ("X1,d,2026-01-09,proposed,,,,,,,\n", "target_date"),
    "verified before its audit": ("X2,d,2026-04-01,verified,e,,,,,2026-01-09,\n", "verified_at"),
    "proposed before its audit": ("X2,d,2026-04-01,verified,e,,2026-01-02,,,2026-01-20,\n", "proposed_at"),
    "sent back when accepted": ("X1,d,2026-04-01,rejected,,why,2026-01-11,2026-01-12,,,2026-01-13\n", "completed_at"),
    "sent back before proposed": ("X1,d,2026-04-01,rejected,,why,2026-01-12,,,,2026-01-11\n", "rejected_at"),
}  # fmt: skip


@pytest.mark.parametrize("row,field", BAD.values(), ids=BAD.keys())
def test_a_bad_plan_is_named_and_nothing_is_written(engine_store, tmp_path, row, field):
    store = engine_store
    report = load(store, [_folder(tmp_path, HEADER + row)], today=date(2026, 3, 1))
    assert not report.ok
    assert any(
        p.file.endswith("corrective_actions.csv") and p.field == field for p in report.problems
    ), problems(report)
    assert store.counts()["findings"] == 0
    assert store.corrective_actions(["X1", "X2", "X3"]) == []


def test_a_plan_sent_back_after_it_was_completed_loads_with_its_steps(engine_store, tmp_path):
    """DOMAIN.md: a member sends back a proposed or a completed plan; the row of one
    sent back when completed keeps the days it was accepted and completed."""
    store = engine_store
    row = "X1,Fence the yard,2026-04-01,rejected,photos,not the right yard,"
    row += "2026-01-20,2026-01-22,2026-02-01,,2026-02-03\n"
    report = load(store, [_folder(tmp_path, HEADER + row)], today=date(2026, 3, 1))
    assert report.ok, problems(report)
    (plan,) = store.corrective_actions(["X1"])
    assert plan.status == ActionStatus.REJECTED and plan.reason == "not the right yard"
    assert [(s.kind, s.at[:10]) for s in plan.history] == [
        (StepKind.PROPOSED, "2026-01-20"),
        (StepKind.ACCEPTED, "2026-01-22"),
        (StepKind.COMPLETED, "2026-02-01"),
        (StepKind.REJECTED, "2026-02-03"),
    ]


def test_a_plan_of_a_stored_finding_is_due_on_or_after_its_audits_day(engine_store, tmp_path):
    """The audit and its finding stored by an earlier load: the plan's row is checked
    against the stored audit's day, as proposeAction checks it."""
    store = engine_store
    first = write(
        tmp_path / "graph",
        {
            "organisations.csv": ORGS,
            "sourcing.csv": "buyer,seller,commodity\nM1,S1,cocoa\n",
            "audits.csv": AUDITS,
            "findings.csv": FINDINGS,
        },
    )
    assert load(store, [first], today=date(2026, 3, 1)).ok
    early = write(
        tmp_path / "early", {"corrective_actions.csv": HEADER + "X1,d,2025-01-10,proposed,,,,,,,\n"}
    )
    report = load(store, [early], today=date(2026, 3, 1))
    assert [(p.field, "2026-01-10" in p.reason) for p in report.problems] == [("target_date", True)]
    assert store.corrective_actions(["X1"]) == []
    on_the_day = write(
        tmp_path / "day", {"corrective_actions.csv": HEADER + "X1,d,2026-01-10,proposed,,,,,,,\n"}
    )
    assert load(store, [on_the_day], today=date(2026, 3, 1)).ok
    assert [p.target_date for p in store.corrective_actions(["X1"])] == [date(2026, 1, 10)]


def test_a_findings_row_agrees_with_its_stored_plan_and_its_audits_day(engine_store, tmp_path):
    """A second reader: a later `findings` row reopened X2, whose verified plan had closed
    it; the plan stayed verified on an open finding, which the measures then counted
    open and closed at once, and which no move could close again. A row whose status
    disagrees with the stored plan is refused (the plan's row may come with it), and so
    is a due day before the audit's day."""
    store = engine_store
    assert load(store, [_folder(tmp_path, GOOD)], today=date(2026, 3, 1)).ok
    counts = store.counts()
    cases = {
        "X2,A1,major,open,hours,\n": ("status", "verified, which closed it"),
        "X1,A1,critical,closed,child labour,2026-03-01\n": ("status", "is accepted"),
        "X3,A1,minor,open,,2026-01-09\n": ("due_date", "2026-01-10"),
        "X9,A1,minor,open,,2025-12-31\n": ("due_date", "2026-01-10"),
    }
    header = "id,audit,severity,status,category,due_date\n"
    for n, (row, (field, said)) in enumerate(cases.items()):
        folder = write(tmp_path / f"later{n}", {"findings.csv": header + row})
        report = load(store, [folder], today=date(2026, 3, 1))
        found = [(p.field, said in p.reason) for p in report.problems]
        assert found == [(field, True)], (row, problems(report))
    assert store.counts() == counts
    assert [f.status.value for f in store.findings(["X1", "X2"])] == ["open", "closed"]
    # reopened with its plan's row beside it (sent back when completed), it loads
    reopened = write(
        tmp_path / "reopened",
        {
            "findings.csv": header + "X2,A1,major,open,hours,\n",
            "corrective_actions.csv": HEADER
            + "X2,Cap overtime,2026-03-01,rejected,rosters,not capped,"
            "2026-01-20,2026-01-22,2026-02-10,,2026-02-21\n",
        },
    )
    assert load(store, [reopened], today=date(2026, 3, 1)).ok
    assert store.findings(["X2"])[0].status.value == "open"
    # with --partial, a plan row refused for another reason does not let the finding by
    bad_plan = write(
        tmp_path / "bad-plan",
        {
            "findings.csv": header + "X1,A1,critical,closed,child labour,2026-03-01\n",
            "corrective_actions.csv": HEADER + "X1,d,2025-01-01,verified,e,,,,,2026-02-01,\n",
        },
    )
    report = load(store, [bad_plan], partial=True, today=date(2026, 3, 1))
    assert sorted(p.field for p in report.problems) == ["status", "target_date"], problems(report)
    assert store.findings(["X1"])[0].status.value == "open"
    assert store.corrective_actions(["X1"])[0].status == ActionStatus.ACCEPTED
    # an audits row refused (with --partial) leaves the stored audit's day to check by
    audit_refused = write(
        tmp_path / "audit-refused",
        {
            "audits.csv": AUDITS.replace(",M1,true", ",NOPE,true"),
            "findings.csv": header + "X9,A1,minor,open,,2025-12-31\n",
        },
    )
    report = load(store, [audit_refused], partial=True, today=date(2026, 3, 1))
    assert sorted(p.field for p in report.problems) == ["commissioned_by", "due_date"]
    assert store.findings(["X9"]) == []
    # a row that agrees with the stored plan, and one without a plan, load as before
    same = write(tmp_path / "same", {"findings.csv": header + "X1,A1,critical,open,wages,\n"})
    assert load(store, [same], today=date(2026, 3, 1)).ok


EXTENSION_HEADER = HEADER.strip() + (
    ",extension,extension_asked_at,extension_answer,extension_answered_at\n"
)
EXTENDED = EXTENSION_HEADER + (
    "X1,d,2026-04-01,accepted,,,2026-01-11,2026-01-14,,,,2026-03-01,2026-01-12,granted,2026-01-13\n"
    "X3,d,2026-04-01,proposed,,,2026-01-11,,,,,2026-05-01,2026-01-12,,\n"
)


def test_extensions_load_with_their_answers(engine_store, tmp_path):
    """Pending: the plan's extension; granted: the finding's due_date is that day
    (the grant moved it); each step kept with the day asked."""
    store = engine_store
    folder = _folder(tmp_path, EXTENDED)
    report = load(store, [folder], today=date(2026, 3, 1))
    assert report.ok, problems(report)
    plans = {p.finding: p for p in store.corrective_actions(["X1", "X3"])}
    assert plans["X1"].extension is None and plans["X3"].extension == date(2026, 5, 1)
    assert [(s.kind, s.due_date) for s in plans["X1"].history] == [
        (StepKind.PROPOSED, None),
        (StepKind.EXTENSION_REQUESTED, date(2026, 3, 1)),
        (StepKind.EXTENSION_GRANTED, date(2026, 3, 1)),
        (StepKind.ACCEPTED, None),
    ]
    assert load(store, [folder], today=date(2026, 3, 1)).ok
    assert {p.finding: p for p in store.corrective_actions(["X1", "X3"])} == plans


BAD_EXTENSIONS = {
    "an extension without its day": ("X1,d,2026-04-01,proposed,,,2026-01-11,,,,,2026-04-01,,,\n", "extension_asked_at"),
    "an extension asked before the plan": ("X1,d,2026-04-01,proposed,,,2026-01-15,,,,,2026-04-01,2026-01-12,,\n", "extension_asked_at"),
    "an answer without its day": ("X1,d,2026-04-01,proposed,,,2026-01-11,,,,,2026-04-01,2026-01-12,granted,\n", "extension_answered_at"),
    "answered before asked": ("X1,d,2026-04-01,proposed,,,2026-01-11,,,,,2026-04-01,2026-01-15,refused,2026-01-12\n", "extension_answered_at"),
    "an extension not after the due day": ("X1,d,2026-04-01,proposed,,,2026-01-11,,,,,2026-02-01,2026-01-12,,\n", "extension"),
    "an extension before the audit of a finding without a due day": ("X3,d,2026-04-01,proposed,,,2026-01-11,,,,,2025-06-01,2026-01-12,,\n", "extension"),
    "granted but the finding's due day differs": ("X1,d,2026-04-01,proposed,,,2026-01-11,,,,,2026-04-01,2026-01-12,granted,2026-01-13\n", "extension"),
}  # fmt: skip


@pytest.mark.parametrize("row,field", BAD_EXTENSIONS.values(), ids=BAD_EXTENSIONS.keys())
def test_a_bad_extension_is_named(engine_store, tmp_path, row, field):
    store = engine_store
    report = load(store, [_folder(tmp_path, EXTENSION_HEADER + row)], today=date(2026, 3, 1))
    assert [p.field for p in report.problems] == [field], problems(report)
    assert store.corrective_actions(["X1"]) == []
