"""DOMAIN.md's definitions on the scenario network, on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cascade.audits import forum_savings
from cascade.coverage import coverage
from cascade.engine import CascadeError, JobSpec, walk, walked
from cascade.projection import current
from cascade.service import affected_members, latest, live_audit_status, run_here
from tests.cascade.scenario import DAY, scenario


@pytest.fixture
def loaded(store):
    store.write(scenario())
    return store


def test_tiers_are_shortest_distances_and_the_member_is_not_in_its_network(loaded):
    network = walk(loaded, "M1")
    assert network.tier == {"A": 1, "B": 1, "M2": 1, "C": 2, "G": 2, "D": 3, "E": 4, "F": 4}
    assert walk(loaded, "M2").tier == {
        "G": 1,
        "B": 1,
        "C": 2,
        "M1": 2,
        "A": 3,
        "D": 3,
        "E": 4,
        "F": 4,
    }


def test_coverage_follows_only_fully_covered_chains(loaded):
    projection = current(loaded)
    result = coverage(projection, walked(projection, "M1"), "R1")
    assert result["tiers"] == [
        {"tier": 1, "nodes": 3, "reached": 1},  # A; B did not adopt; M2 was not told
        {"tier": 2, "nodes": 2, "reached": 1},  # C through A (B's chain is broken)
        {"tier": 3, "nodes": 1, "reached": 0},
        {"tier": 4, "nodes": 2, "reached": 0},
    ]
    assert result["depth"] == 2
    assert result["reached"] == 2 and result["nodes"] == 8
    assert result["gaps"] == [
        {"reason": "NOT_ADOPTED", "buyer": "M1", "node": "B", "tier": 1},
        {"reason": "NOT_PASSED_ON", "buyer": "M1", "node": "M2", "tier": 1},
        {"reason": "NOT_PASSED_ON", "buyer": "C", "node": "D", "tier": 3},
        {"reason": "ORPHAN_ADOPTION", "buyer": None, "node": "E", "tier": 4},
    ]


def test_audit_reasons_boundaries_and_savings(loaded):
    status = live_audit_status(loaded, "M1", DAY)
    assert status.in_scope == 7  # the smallholder F is out of scope by default
    assert status.covered == {"A": ["a1"], "B": ["b1"]}
    assert {g.node: g.reason.value for g in status.gaps} == {
        "M2": "NO_AUDIT",
        "C": "UNRECOGNISED_SCHEME",  # c1 expired, c2 got one check further
        "D": "NOT_SHARED",
        "E": "OPEN_CRITICAL_FINDING",
        "G": "OVERDUE_FINDING",
    }
    assert {g.node: g.audit for g in status.gaps}["C"] == "c2"
    assert status.saved == 1 and status.savings == 0.5  # B rests on M2's audit


def test_a_day_past_the_boundary_expires_the_audit(loaded):
    status = live_audit_status(loaded, "M1", DAY + timedelta(days=1))
    assert "A" not in status.covered
    assert {g.node: g.reason.value for g in status.gaps}["A"] == "EXPIRED"
    before = live_audit_status(loaded, "M1", DAY - timedelta(days=1))
    assert {g.node: g.reason.value for g in before.gaps}["B"] == "EXPIRED"  # not yet valid


def test_smallholders_only_when_asked(loaded):
    status = live_audit_status(loaded, "M1", DAY, include_smallholders=True)
    assert status.in_scope == 8
    assert {g.node: g.reason.value for g in status.gaps}["F"] == "NO_AUDIT"


def test_forum_savings_counts_member_nodes_per_audit(loaded):
    m1 = live_audit_status(loaded, "M1", DAY)
    m2 = live_audit_status(loaded, "M2", DAY)
    # M2 reaches D through B -> M1 -> A -> C; G's audit is overdue for M2 as well
    assert m2.covered == {"B": ["b1"], "D": ["d1"]}
    assert forum_savings([m1, m2]) == {"members": 2, "covered": 4, "audits": 3, "per_audit": 4 / 3}


def test_a_job_saves_results_with_their_time_and_keeps_history(loaded):
    first = run_here(loaded, JobSpec("M1", as_of=DAY))
    assert first["state"] == "done" and first["tier"] == 4 and first["nodes"] == 8
    second = run_here(loaded, JobSpec("M1", "R1", as_of=DAY))
    history = latest(loaded, "coverage", "M1", "R1", history=5)
    assert [r.computed_at for r in history] == [second["created_at"], first["created_at"]]
    assert history[0].payload["depth"] == 2
    audits = latest(loaded, "audits", "M1", DAY.isoformat())
    assert audits[0].payload["covered"] == 2 and audits[0].payload["savings"] == 0.5


def test_jobs_refuse_what_cannot_be_computed(loaded):
    with pytest.raises(CascadeError, match="not a member"):
        run_here(loaded, JobSpec("A"))
    with pytest.raises(CascadeError, match="does not require 'R2'"):
        run_here(loaded, JobSpec("M1", "R2"))
    with pytest.raises(CascadeError, match="unknown member"):
        run_here(loaded, JobSpec("NOBODY"))


def test_a_change_affects_the_members_above_it(loaded):
    assert affected_members(loaded, ["G"]) == {"M1", "M2"}
    assert affected_members(loaded, ["M2"]) == {"M1", "M2"}  # M1 sources from M2
    assert affected_members(loaded, ["F"]) == {"M1", "M2"}
