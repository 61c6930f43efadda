"""Corrective actions kept by every store: upserted by finding in apply's
transaction with the batch, history appended once, outside counts and export,
emptied by clear()."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from graph.model import (
    ActionStatus,
    ActionStep,
    CorrectiveAction,
    Finding,
    FindingStatus,
    GraphBatch,
    Severity,
    StepKind,
)
from graph.store import Mutation, MutationRecord, UnknownReference
from tests.views.forum import forum


def _record(n: int, key: str | None = None) -> MutationRecord:
    return MutationRecord(
        f"m{n}", "proposeAction", "S2", "supplier", "k", f"2026-03-0{n}T10:00:00", key, "h", {}
    )


STEP1 = ActionStep(
    "2026-03-01T10:00:00.000000+00:00", StepKind.PROPOSED, "S2", "supplier", "fix exits"
)
STEP2 = ActionStep(
    "2026-03-02T10:00:00.000000+00:00",
    StepKind.EXTENSION_REQUESTED,
    "S2",
    "supplier",
    None,
    date(2026, 5, 1),
)
PLAN = CorrectiveAction(
    "F-2", "fix exits", date(2026, 4, 1), ActionStatus.PROPOSED, history=(STEP1,)
)


def test_a_plan_is_upserted_by_finding_and_its_history_appended_once(store):
    store.write(forum())
    counts, exported = store.counts(), store.export()
    assert store.corrective_actions(["F-2"]) == []
    store.apply(Mutation(_record(1), actions=(PLAN,)))
    assert store.corrective_actions(["F-2", "F-4", "nope"]) == [PLAN]
    later = replace(PLAN, extension=date(2026, 5, 1), history=(STEP1, STEP2))  # STEP1 again
    store.apply(Mutation(_record(2), actions=(later,)))
    assert store.corrective_actions(["F-2"]) == [later]
    assert store.counts() == counts
    assert store.export() == exported


def test_a_plan_and_its_finding_are_written_in_one_transaction(store):
    store.write(forum())
    version = store.graph_version()
    closed = Finding("F-2", "A2", Severity.CRITICAL, FindingStatus.CLOSED, "safety")
    verified = replace(PLAN, status=ActionStatus.VERIFIED)
    store.apply(Mutation(_record(1), GraphBatch(findings=[closed]), actions=(verified,)))
    assert store.findings(["F-2", "F-4", "none"])[0] == closed
    assert [f.id for f in store.findings(["F-4", "F-2"])] == ["F-2", "F-4"]
    assert store.corrective_actions(["F-2"])[0].status == ActionStatus.VERIFIED
    assert store.graph_version() != version
    change = store.changes_since(version)
    assert change is not None and change[-1].batch.findings == [closed]


def test_a_plan_of_an_unknown_finding_writes_nothing(store):
    store.write(forum())
    closed = Finding("F-2", "A2", Severity.CRITICAL, FindingStatus.CLOSED, "safety")
    stray = replace(PLAN, finding="F-nope")
    with pytest.raises(UnknownReference):
        store.apply(Mutation(_record(1), GraphBatch(findings=[closed]), actions=(PLAN, stray)))
    assert store.corrective_actions(["F-2", "F-nope"]) == []
    assert store.findings(["F-2"])[0].status == FindingStatus.OPEN
    assert store.mutation_records("S2") == []


def test_clear_empties_the_plans(store):
    store.write(forum())
    store.apply(Mutation(_record(1), actions=(PLAN,)))
    store.clear()
    store.write(forum())
    assert store.corrective_actions(["F-2"]) == []
