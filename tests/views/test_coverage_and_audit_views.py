"""Coverage, gaps, audits and jobs as a member's people see them."""

from __future__ import annotations

from cascade.audits import AuditGapReason
from cascade.coverage import CascadeGapReason
from tests.views.forum import AS_OF, FROM, PRINCIPALS, UNTIL, forum
from views import audits, coverage, jobs

M1, M2 = PRINCIPALS["sourcing"], PRINCIPALS["other member"]


def test_requirements_are_the_members_own(store):
    store.write(forum())
    assert [r.id for r in coverage.requirements(principal=M1, store=store)] == ["R1"]
    assert [r.title for r in coverage.requirements(principal=M2, store=store)] == ["Palm"]


def test_tier_coverage(store):
    store.write(forum())
    found = coverage.tier_coverage(principal=M1, store=store, requirement="R1")
    assert (found.depth, found.nodes, found.reached) == (1, 5, 1)
    assert [(t.tier, t.nodes, t.reached) for t in found.tiers] == [(1, 2, 1), (2, 2, 0), (3, 1, 0)]


def test_cascade_gaps_in_the_clis_order_filtered_and_paged(store):
    store.write(forum())
    every = coverage.cascade_gaps(principal=M1, store=store, requirement="R1")
    rows = [(g.tier, g.reason.value, g.node, g.buyer) for g in every.items]
    assert rows == [
        (1, "NOT_PASSED_ON", "S3", "M1"),
        (1, "ORPHAN_ADOPTION", "S3", None),
        (2, "NOT_ADOPTED", "S2", "S1"),
        (2, "NOT_PASSED_ON", "S4", "S1"),
    ]
    assert every.total == 4
    paged, after = [], None
    while True:
        page = coverage.cascade_gaps(
            principal=M1, store=store, requirement="R1", first=1, after=after
        )
        paged += [(g.tier, g.reason.value, g.node, g.buyer) for g in page.items]
        after = page.end_cursor
        if not page.has_next:
            break
    assert paged == rows
    only = coverage.cascade_gaps(
        principal=M1, store=store, requirement="R1", reason=CascadeGapReason.NOT_PASSED_ON, tier=2
    )
    assert [g.node for g in only.items] == ["S4"] and only.total == 1


def test_audit_gaps_show_hidden_audits_only_as_existing(store):
    store.write(forum())
    page = audits.audit_gaps(principal=M1, store=store, as_of=AS_OF)
    gaps = {g.node: g for g in page.items}
    assert [(g.node, g.tier, g.reason) for g in page.items] == [
        ("S2", 2, AuditGapReason.OPEN_CRITICAL_FINDING),
        ("S4", 2, AuditGapReason.NOT_SHARED),
    ]
    own = gaps["S2"].audit
    assert (own.id, own.visible, own.rating, own.auditor, own.commissioned_by_you) == (
        "A2",
        True,
        "C",
        "Bureau One",
        True,
    )
    hidden = gaps["S4"].audit
    assert (hidden.id, hidden.scheme, hidden.audit_date, hidden.valid_until) == (
        "A4",
        "SMETA",
        FROM,
        UNTIL,
    )
    assert (hidden.visible, hidden.rating, hidden.auditor, hidden.commissioned_by_you) == (
        False,
        None,
        None,
        None,
    )
    with_farms = audits.audit_gaps(
        principal=M1, store=store, as_of=AS_OF, include_smallholders=True
    )
    assert [(g.node, g.reason, g.audit) for g in with_farms.items][-1] == (
        "F1",
        AuditGapReason.NO_AUDIT,
        None,
    )
    only = audits.audit_gaps(
        principal=M1, store=store, as_of=AS_OF, reason=AuditGapReason.NOT_SHARED
    )
    assert [g.node for g in only.items] == ["S4"] and only.total == 1
    second = audits.audit_gaps(
        principal=M1, store=store, as_of=AS_OF, first=1, after=page.end_cursor
    )
    assert second.items == [] and not second.has_next


def test_findings_only_of_audits_the_member_sees_in_its_view(store):
    store.write(forum())
    found = audits.findings(principal=M1, store=store, audit_ids=["A2", "A4", "A9", "A3", "NOPE"])
    assert [[f.id for f in fs] if fs is not None else None for fs in found] == [
        ["F-2"],
        None,  # NOT_SHARED: its findings stay with those who may see it
        None,  # outside M1's network altogether
        [],  # shared with M1, no findings
        None,
    ]


def test_savings_are_the_members_own(store):
    store.write(forum())
    s = audits.audit_savings(principal=M1, store=store, as_of=AS_OF)
    assert (s.in_scope, s.covered, s.saved, s.savings) == (4, 2, 1, 0.5)  # S3 on M2's audit


def test_one_nodes_audit_status(store):
    store.write(forum())
    s4 = audits.audit_status_of(principal=M1, store=store, id="S4", as_of=AS_OF)
    assert (s4.in_scope, s4.covered, s4.reason) == (True, False, AuditGapReason.NOT_SHARED)
    assert [(a.id, a.visible, a.rating) for a in s4.audits] == [("A4", False, None)]
    s3 = audits.audit_status_of(principal=M1, store=store, id="S3", as_of=AS_OF)
    assert (s3.covered, s3.reason) == (True, None)
    assert [(a.id, a.visible, a.commissioned_by_you) for a in s3.audits] == [("A3", True, False)]
    me = audits.audit_status_of(principal=M1, store=store, id="M1", as_of=AS_OF)
    assert (me.in_scope, me.covered, me.audits) == (False, False, [])


def test_a_cascade_job_runs_and_its_run_is_in_the_history(store):
    store.write(forum())
    runner = jobs.InProcessJobs()
    started = jobs.run_cascade(principal=M1, store=store, jobs=runner, as_of=AS_OF)
    assert started["member"] == "M1" and started["requirements"] == ["R1"]
    for thread in list(runner.threads.values()):
        thread.join()
    done = jobs.job_of(principal=PRINCIPALS["analyst"], jobs=runner, id=started["id"])
    assert done["state"] == "done" and done["nodes"] == 5
    history = coverage.coverage_history(principal=M1, store=store, requirement="R1")
    live = coverage.tier_coverage(principal=M1, store=store, requirement="R1")
    assert [h.coverage for h in history] == [live]
    assert history[0].gaps_by_reason == {"NOT_ADOPTED": 1, "NOT_PASSED_ON": 2, "ORPHAN_ADOPTION": 1}
