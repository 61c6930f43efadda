"""Corrective actions on every store: each move answers each principal as
DOMAIN.md says (FORBIDDEN for a role that never makes it, NOT_FOUND for a finding
it cannot see, BAD_USER_INPUT out of order), a refusal writes nothing, and the
whole state machine with its history, the finding closed by verification and the
due day moved by a granted extension (OVERDUE_FINDING uses the new day)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from access.errors import BadUserInput, NotFound
from access.principal import Principal, Role
from graph.model import ActionStatus, Finding, FindingStatus, Severity, StepKind
from remediation import moves
from remediation.seen import action_of
from tests.mutations.test_who_may_write import BAD, FORBIDDEN, NOT_FOUND, OK, S2, S4, WHO, outcome
from tests.views.forum import OPERATOR, OTHER_MEMBER, SOURCING, forum
from views.audits import audit_status_of

S2_OWNS = "F-2"  # on A2, S2's audit commissioned by M1 (M2 cannot see it)
NOBODY = dict.fromkeys(WHO, FORBIDDEN)
OWNER_ONLY = {
    **NOBODY,
    "supplier inside": NOT_FOUND,
    "supplier outside": NOT_FOUND,
    "S2": OK,
    "S3": NOT_FOUND,
    "S4": NOT_FOUND,
    "F1": NOT_FOUND,
}
MEMBER_ONLY = {**NOBODY, "sourcing": OK, "other member": NOT_FOUND}

Call = Callable[[Principal, Any], Any]


def _propose(p: Principal, s: Any) -> Any:
    return moves.propose_action(
        principal=p,
        store=s,
        finding=S2_OWNS,
        description="Unlock the exits",
        target_date="2026-04-01",
    )


def _accept(p: Principal, s: Any) -> Any:
    return moves.accept_action(principal=p, store=s, finding=S2_OWNS)


def _reject(p: Principal, s: Any) -> Any:
    return moves.reject_action(principal=p, store=s, finding=S2_OWNS, reason="too vague")


def _complete(p: Principal, s: Any) -> Any:
    return moves.complete_action(principal=p, store=s, finding=S2_OWNS, evidence="photos.zip")


def _verify(p: Principal, s: Any) -> Any:
    return moves.verify_action(principal=p, store=s, finding=S2_OWNS)


def _ask(p: Principal, s: Any) -> Any:
    return moves.request_extension(principal=p, store=s, finding=S2_OWNS, due_date="2026-06-30")


def _grant(p: Principal, s: Any) -> Any:
    return moves.answer_extension(principal=p, store=s, finding=S2_OWNS, grant=True)


# move -> (steps before it, by the right principals; the move; outcome per principal)
CASES: dict[str, tuple[list[tuple[Call, Principal]], Call, dict[str, str]]] = {
    "proposeAction": ([], _propose, OWNER_ONLY),
    "acceptAction": ([(_propose, S2)], _accept, MEMBER_ONLY),
    "rejectAction": ([(_propose, S2)], _reject, MEMBER_ONLY),
    "completeAction": ([(_propose, S2), (_accept, SOURCING)], _complete, OWNER_ONLY),
    "verifyAction": (
        [(_propose, S2), (_accept, SOURCING), (_complete, S2)],
        _verify,
        {**MEMBER_ONLY, "operator": OK},
    ),
    "requestExtension": ([(_propose, S2)], _ask, OWNER_ONLY),
    "answerExtension": ([(_propose, S2), (_ask, S2)], _grant, MEMBER_ONLY),
}


@pytest.mark.parametrize("move", list(CASES))
def test_each_move_answers_each_principal_as_domain_md_says(store, move):
    before_steps, call, expected = CASES[move]
    store.write(forum())
    for step, principal in before_steps:
        step(principal, store)
    got = {}
    # The right principals last: a move made changes the state the others meet.
    for who, principal in sorted(WHO.items(), key=lambda w: expected[w[0]] == OK):
        version = store.graph_version()
        plans = store.corrective_actions([S2_OWNS])
        got[who] = outcome(lambda p=principal: call(p, store))
        if got[who] != OK:
            assert store.graph_version() == version, f"{who} was refused but the graph changed"
            assert store.corrective_actions([S2_OWNS]) == plans, f"{who} was refused but wrote"
        elif expected[who] == OK and list(expected.values()).count(OK) > 1:
            break  # the first right principal moved it: the next meets a new state
    assert got == {w: o for w, o in expected.items() if w in got}
    assert len(got) >= len(WHO) - 1


# every move from every state it may not leave that way: BAD_USER_INPUT
ORDER: list[tuple[str, list[tuple[Call, Principal]], Call, Principal]] = [
    ("accept before any plan", [], _accept, SOURCING),
    ("complete a proposed plan", [(_propose, S2)], _complete, S2),
    ("verify a proposed plan", [(_propose, S2)], _verify, SOURCING),
    ("verify an accepted plan", [(_propose, S2), (_accept, SOURCING)], _verify, OPERATOR),
    ("propose twice", [(_propose, S2)], _propose, S2),
    ("accept twice", [(_propose, S2), (_accept, SOURCING)], _accept, SOURCING),
    ("reject an accepted plan", [(_propose, S2), (_accept, SOURCING)], _reject, SOURCING),
    ("answer with no extension asked", [(_propose, S2)], _grant, SOURCING),
    ("ask with no plan", [], _ask, S2),
    ("ask twice", [(_propose, S2), (_ask, S2)], _ask, S2),
    (
        "anything once verified",
        [(_propose, S2), (_accept, SOURCING), (_complete, S2), (_verify, SOURCING)],
        _propose,
        S2,
    ),
]


@pytest.mark.parametrize("case", ORDER, ids=[c[0] for c in ORDER])
def test_no_move_out_of_order(engine_store, case):
    _name, before, call, principal = case
    store = engine_store
    store.write(forum())
    for step, who in before:
        step(who, store)
    version, plans = store.graph_version(), store.corrective_actions([S2_OWNS])
    assert outcome(lambda: call(principal, store)) == BAD
    assert store.graph_version() == version
    assert store.corrective_actions([S2_OWNS]) == plans


def test_a_plan_due_before_its_finding_was_raised_is_refused(engine_store):
    store = engine_store
    store.write(forum())
    raised = store.audits([store.findings([S2_OWNS])[0].audit])[0].audit_date
    version = store.graph_version()
    before = raised.replace(year=raised.year - 1)  # the typo of a year
    with pytest.raises(BadUserInput) as refused:
        moves.propose_action(
            principal=S2, store=store, finding=S2_OWNS, description="x", target_date=before
        )
    assert refused.value.field == "targetDate" and str(raised) in str(refused.value)
    assert store.graph_version() == version and store.corrective_actions([S2_OWNS]) == []
    # the audit's own day is a plan due at once: taken
    moves.propose_action(
        principal=S2, store=store, finding=S2_OWNS, description="x", target_date=raised
    )
    assert store.corrective_actions([S2_OWNS])[0].target_date == raised
    # a move out of order is said first, as docs/api.md lists the refusals
    with pytest.raises(BadUserInput) as refused:
        moves.propose_action(
            principal=S2, store=store, finding=S2_OWNS, description="x", target_date=before
        )
    assert refused.value.field == "finding"


def test_the_whole_way_closes_the_finding_and_keeps_every_step(engine_store):
    store = engine_store
    store.write(forum())
    day = date(2026, 3, 1)
    assert audit_status_of(principal=SOURCING, store=store, id="S2", as_of=day).covered is False
    _propose(S2, store)
    _reject(SOURCING, store)
    moves.propose_action(
        principal=S2,
        store=store,
        finding=S2_OWNS,
        description="Unlock and train",
        target_date="2026-04-15",
    )
    _accept(SOURCING, store)
    _complete(S2, store)
    _reject(SOURCING, store)  # a completed plan may be sent back too
    moves.propose_action(
        principal=S2,
        store=store,
        finding=S2_OWNS,
        description="Unlock, train, check",
        target_date="2026-05-01",
    )
    _accept(SOURCING, store)
    _complete(S2, store)
    answer = _verify(SOURCING, store)
    assert answer["status"] == "verified" and answer["findingStatus"] == "closed"
    assert store.findings([S2_OWNS])[0].status == FindingStatus.CLOSED
    # the gap changes at the next read: A2's only blocker was the finding
    assert audit_status_of(principal=SOURCING, store=store, id="S2", as_of=day).covered is True
    plan = action_of(principal=SOURCING, store=store, finding=S2_OWNS)
    assert plan is not None and plan.status == ActionStatus.VERIFIED
    assert plan.description == "Unlock, train, check" and plan.evidence == "photos.zip"
    assert [s.kind for s in plan.history] == [
        StepKind.PROPOSED, StepKind.REJECTED, StepKind.PROPOSED, StepKind.ACCEPTED,
        StepKind.COMPLETED, StepKind.REJECTED, StepKind.PROPOSED, StepKind.ACCEPTED,
        StepKind.COMPLETED, StepKind.VERIFIED,
    ]  # fmt: skip
    assert [s.by for s in plan.history[:2]] == ["S2", "M1"]
    assert plan.history[1].note == "too vague" and plan.history[1].by_you
    owner_view = action_of(principal=S2, store=store, finding=S2_OWNS)
    assert owner_view is not None
    shown = [(s.by, s.by_you) for s in owner_view.history]
    assert shown == [("S2", True) if s.by == "S2" else (None, False) for s in plan.history]


def test_an_extension_granted_moves_the_due_day_and_overdue_finding(engine_store):
    store = engine_store
    batch = forum()
    # F-5: a minor finding on A1 (S1, by M1) due 2026-02-15: overdue on AS_OF
    batch.findings.append(
        Finding("F-5", "A1", Severity.MINOR, FindingStatus.OPEN, "records", date(2026, 2, 15))
    )
    store.write(batch)
    s1 = WHO["supplier inside"]
    day = date(2026, 3, 1)
    status = audit_status_of(principal=SOURCING, store=store, id="S1", as_of=day)
    assert status.reason is not None and status.reason.value == "OVERDUE_FINDING"
    moves.propose_action(
        principal=s1, store=store, finding="F-5", description="Fix", target_date="2026-03-20"
    )
    with pytest.raises(BadUserInput):  # not later than the due day
        moves.request_extension(principal=s1, store=store, finding="F-5", due_date="2026-02-15")
    moves.request_extension(
        principal=s1, store=store, finding="F-5", due_date="2026-03-31", reason="parts"
    )
    refused = moves.answer_extension(principal=SOURCING, store=store, finding="F-5", grant=False)
    assert refused["dueDate"] == "2026-02-15"
    assert audit_status_of(principal=SOURCING, store=store, id="S1", as_of=day).covered is False
    moves.request_extension(principal=s1, store=store, finding="F-5", due_date="2026-03-31")
    granted = moves.answer_extension(principal=SOURCING, store=store, finding="F-5", grant=True)
    assert granted["dueDate"] == "2026-03-31"
    assert store.findings(["F-5"])[0].due_date == date(2026, 3, 31)
    assert audit_status_of(principal=SOURCING, store=store, id="S1", as_of=day).covered is True
    later = audit_status_of(principal=SOURCING, store=store, id="S1", as_of=date(2026, 4, 1))
    assert later.reason is not None and later.reason.value == "OVERDUE_FINDING"
    plan = action_of(principal=SOURCING, store=store, finding="F-5")
    assert plan is not None and plan.extension is None
    assert [(s.kind.value, s.due_date) for s in plan.history[1:]] == [
        ("extension_requested", date(2026, 3, 31)),
        ("extension_refused", date(2026, 3, 31)),
        ("extension_requested", date(2026, 3, 31)),
        ("extension_granted", date(2026, 3, 31)),
    ]


def test_an_asked_due_day_lapses_at_verification_and_never_precedes_the_audit(engine_store):
    """A second reader: a due day asked for a completed plan stayed asked after the plan
    was verified (a state the loader refuses: "a verified plan has no extension
    waiting"), and a finding without a due day took an "extension" to a day before its
    audit, overdue at once."""
    store = engine_store
    store.write(forum())
    raised = store.audits(["A2"])[0].audit_date
    assert store.findings([S2_OWNS])[0].due_date is None
    _propose(S2, store)
    version = store.graph_version()
    with pytest.raises(BadUserInput) as refused:
        moves.request_extension(
            principal=S2, store=store, finding=S2_OWNS, due_date=raised.replace(year=2020)
        )
    assert refused.value.field == "dueDate" and str(raised) in str(refused.value)
    assert store.graph_version() == version
    _accept(SOURCING, store)
    _complete(S2, store)
    _ask(S2, store)
    assert store.corrective_actions([S2_OWNS])[0].extension == date(2026, 6, 30)
    _verify(SOURCING, store)
    plan = store.corrective_actions([S2_OWNS])[0]
    assert plan.status == ActionStatus.VERIFIED and plan.extension is None
    assert plan.history[-1].note == "the due day asked, 2026-06-30, lapsed"  # kept, as said
    assert store.findings([S2_OWNS])[0].due_date is None  # nothing granted
    with pytest.raises(BadUserInput):
        _grant(SOURCING, store)


def test_each_move_is_idempotent_under_its_key(engine_store):
    store = engine_store
    store.write(forum())
    first = moves.propose_action(
        principal=S2, store=store, finding=S2_OWNS, description="x", target_date="2026-04-01",
        idempotency_key="p1",
    )  # fmt: skip
    again = moves.propose_action(
        principal=S2, store=store, finding=S2_OWNS, description="x", target_date="2026-04-01",
        idempotency_key="p1",
    )  # fmt: skip
    assert again == {**first, "replayed": True}
    plan = store.corrective_actions([S2_OWNS])[0]
    assert len(plan.history) == 1
    with pytest.raises(BadUserInput):  # the key, with other arguments
        moves.propose_action(
            principal=S2, store=store, finding=S2_OWNS, description="y", target_date="2026-04-01",
            idempotency_key="p1",
        )  # fmt: skip


def test_not_found_reads_the_same_for_hidden_and_absent(engine_store):
    store = engine_store
    store.write(forum())
    messages = {}
    for finding in ("F-4", "F-NOPE"):  # F-4: on A4, which M1 cannot see
        with pytest.raises(NotFound) as hidden:
            moves.accept_action(principal=SOURCING, store=store, finding=finding)
        messages[finding] = str(hidden.value).replace(finding, "X")
        with pytest.raises(NotFound):
            action_of(principal=SOURCING, store=store, finding=finding)
    assert messages["F-4"] == messages["F-NOPE"]
    # the owner of F-4 is S4, and M2 commissioned it: both may see and act
    moves.propose_action(
        principal=S4, store=store, finding="F-4", description="pay", target_date="2026-05-01"
    )
    assert (
        moves.accept_action(principal=OTHER_MEMBER, store=store, finding="F-4")["status"]
        == "accepted"
    )
    analyst = Principal(Role.ANALYST, "M1", "k")
    assert (
        outcome(lambda: moves.accept_action(principal=analyst, store=store, finding="F-2"))
        == FORBIDDEN
    )
