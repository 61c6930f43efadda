"""Every member service, every kind of principal, on every store: the right one
sees its answer, each wrong one gets FORBIDDEN (a role that may not ask) or
NOT_FOUND (an id outside its view), word for word the answer for an id that
does not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from access.errors import Forbidden, NotFound
from tests.views.forum import AS_OF, PRINCIPALS, forum
from views import audits, coverage, jobs, network

OK, FORBIDDEN, NOT_FOUND = "ok", "FORBIDDEN", "NOT_FOUND"
MEMBERS_ONLY = {
    "sourcing": OK,
    "analyst": OK,
    "other member": OK,  # its own network, its own answer
    "supplier inside": FORBIDDEN,
    "supplier outside": FORBIDDEN,
    "operator": FORBIDDEN,
}
IN_M1_VIEW_ONLY = {**MEMBERS_ONLY, "other member": NOT_FOUND}


def _cases(store: Any, job_id: str, runner: jobs.Jobs) -> dict[str, tuple[Callable, dict]]:
    """field -> (call with a principal, expected outcome per principal)."""
    s = store
    return {
        "me": (lambda p: network.me(principal=p, store=s), dict.fromkeys(PRINCIPALS, OK)),
        "network": (lambda p: network.network(principal=p, store=s), MEMBERS_ONLY),
        "organisation S2": (
            lambda p: network.organisation(principal=p, store=s, id="S2"),
            IN_M1_VIEW_ONLY,
        ),
        "suppliers of S2": (
            lambda p: network.suppliers(principal=p, store=s, id="S2"),
            IN_M1_VIEW_ONLY,
        ),
        "buyers of S2": (lambda p: network.buyers(principal=p, store=s, id="S2"), IN_M1_VIEW_ONLY),
        "requirements reached at S2": (
            lambda p: network.requirements_reached(principal=p, store=s, id="S2"),
            IN_M1_VIEW_ONLY,
        ),
        "audit status of S2": (
            lambda p: audits.audit_status_of(principal=p, store=s, id="S2", as_of=AS_OF),
            IN_M1_VIEW_ONLY,
        ),
        "requirements": (lambda p: coverage.requirements(principal=p, store=s), MEMBERS_ONLY),
        "tierCoverage R1": (
            lambda p: coverage.tier_coverage(principal=p, store=s, requirement="R1"),
            IN_M1_VIEW_ONLY,
        ),
        "cascadeGaps R1": (
            lambda p: coverage.cascade_gaps(principal=p, store=s, requirement="R1"),
            IN_M1_VIEW_ONLY,
        ),
        "coverageHistory R1": (
            lambda p: coverage.coverage_history(principal=p, store=s, requirement="R1"),
            IN_M1_VIEW_ONLY,
        ),
        "auditGaps": (
            lambda p: audits.audit_gaps(principal=p, store=s, as_of=AS_OF),
            MEMBERS_ONLY,
        ),
        "auditSavings": (
            lambda p: audits.audit_savings(principal=p, store=s, as_of=AS_OF),
            MEMBERS_ONLY,
        ),
        "job of M1": (lambda p: jobs.job_of(principal=p, jobs=runner, id=job_id), IN_M1_VIEW_ONLY),
        "runCascade": (
            lambda p: jobs.run_cascade(principal=p, store=s, jobs=runner, as_of=AS_OF),
            {**MEMBERS_ONLY, "analyst": FORBIDDEN},  # analysts write nothing
        ),
    }


def outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except Forbidden:
        return FORBIDDEN
    except NotFound:
        return NOT_FOUND
    return OK


@pytest.fixture
def runner():
    runner = jobs.InProcessJobs()
    yield runner
    for thread in list(runner.threads.values()):  # done before the store closes
        thread.join()


def test_each_field_answers_each_principal_as_domain_md_says(store, runner):
    store.write(forum())
    job = jobs.run_cascade(principal=PRINCIPALS["sourcing"], store=store, jobs=runner)["id"]
    got, wanted = {}, {}
    for field, (call, expected) in _cases(store, job, runner).items():
        for who, principal in PRINCIPALS.items():
            got[(field, who)] = outcome(lambda c=call, p=principal: c(p))
            wanted[(field, who)] = expected[who]
    assert {k: v for k, v in got.items() if v != wanted[k]} == {}


HIDDEN_AND_ABSENT = [
    ("organisation", lambda p, s, i: network.organisation(principal=p, store=s, id=i)),
    ("organisation", lambda p, s, i: network.suppliers(principal=p, store=s, id=i)),
    ("organisation", lambda p, s, i: network.buyers(principal=p, store=s, id=i)),
    ("organisation", lambda p, s, i: network.requirements_reached(principal=p, store=s, id=i)),
    ("organisation", lambda p, s, i: audits.audit_status_of(principal=p, store=s, id=i)),
    ("requirement", lambda p, s, i: coverage.tier_coverage(principal=p, store=s, requirement=i)),
    ("requirement", lambda p, s, i: coverage.cascade_gaps(principal=p, store=s, requirement=i)),
    (
        "requirement",
        lambda p, s, i: coverage.coverage_history(principal=p, store=s, requirement=i),
    ),
]


def _refusal(call: Callable[[], Any]) -> str:
    with pytest.raises(NotFound) as refused:
        call()
    return str(refused.value)


def test_a_hidden_id_is_refused_word_for_word_like_an_absent_one(store):
    """S9 and M2 exist outside M1's network, R2 is M2's requirement: each refusal
    reads as the one for an id that was never there, but for the id itself."""
    store.write(forum())
    m1 = PRINCIPALS["sourcing"]
    for what, call in HIDDEN_AND_ABSENT:
        hidden = ["S9", "M2"] if what == "organisation" else ["R2"]
        absent = _refusal(lambda c=call: c(m1, store, "NOPE"))
        assert absent == f"no {what} 'NOPE'"
        for ident in hidden:
            got = _refusal(lambda c=call, i=ident: c(m1, store, i))
            assert got.replace(ident, "NOPE") == absent


def test_another_members_job_is_not_found_like_a_job_that_never_was(store, runner):
    store.write(forum())
    job = jobs.run_cascade(principal=PRINCIPALS["sourcing"], store=store, jobs=runner)["id"]
    other = PRINCIPALS["other member"]
    hidden = _refusal(lambda: jobs.job_of(principal=other, jobs=runner, id=job))
    absent = _refusal(lambda: jobs.job_of(principal=other, jobs=runner, id="0" * 32))
    assert hidden.replace(job, "X") == absent.replace("0" * 32, "X")


@pytest.mark.parametrize("who", ["supplier inside", "supplier outside", "operator", "analyst"])
def test_forbidden_says_only_which_role_is_needed(store, runner, who):
    store.write(forum())
    with pytest.raises(Forbidden) as refused:
        jobs.run_cascade(principal=PRINCIPALS[who], store=store, jobs=runner)
    assert "sourcing" in str(refused.value)
    assert not any(name in str(refused.value) for name in ("M1", "M2", "S1", "S9"))
