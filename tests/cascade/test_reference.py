"""The engine against a naive reference of DOMAIN.md, on generated forums.

The reference below reads the GraphBatch rows directly (sets, dicts and networkx
BFS, nothing from cascade/) and writes DOMAIN.md's definitions down as they read,
with the choices of docs/cascade.md where DOMAIN.md is silent. Every member of
several generated forums (and of one mutated to hold the rarer cases) is run
through the engine on a SqliteStore, on boundary days, and its saved payloads must
equal the reference's, field by field and gap by gap.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import networkx as nx
import pytest

from cascade.audits import forum_savings
from cascade.engine import JobSpec, walk
from cascade.service import latest, live_audit_status, run_here
from graph.model import (
    Adoption,
    Audit,
    Finding,
    FindingStatus,
    GraphBatch,
    Kind,
    Organisation,
    PassOn,
    Recognition,
    Requirement,
    Requires,
    Severity,
    Share,
    Sourcing,
)
from graph.store import GraphStore
from loaders.generate import REFERENCE_DAY, generate

CHECKS = (
    "EXPIRED",
    "UNRECOGNISED_SCHEME",
    "NOT_SHARED",
    "OPEN_CRITICAL_FINDING",
    "OVERDUE_FINDING",
)
PASSED = len(CHECKS)


# ---- the reference ----------------------------------------------------------
@dataclass
class Forum:
    """A batch's rows as plain sets and dicts (later rows with the same id win)."""

    kind: dict[str, Kind] = field(default_factory=dict)
    sources: nx.DiGraph = field(default_factory=nx.DiGraph)  # one edge per buyer->seller
    passed: set[tuple[str, str, str]] = field(default_factory=set)  # buyer, seller, req
    adopted: set[tuple[str, str]] = field(default_factory=set)  # organisation, req
    requires: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    recognises: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    audits: dict[str, Audit] = field(default_factory=dict)
    findings: dict[str, Finding] = field(default_factory=dict)
    shared: set[tuple[str, str]] = field(default_factory=set)  # audit, member

    @classmethod
    def of(cls, batch: GraphBatch) -> Forum:
        forum = cls()
        for o in batch.organisations:
            forum.kind[o.id] = o.kind
            forum.sources.add_node(o.id)
        forum.sources.add_edges_from((s.buyer, s.seller) for s in batch.sourcing)
        forum.passed = {(p.buyer, p.seller, p.requirement) for p in batch.pass_on}
        forum.adopted = {(a.organisation, a.requirement) for a in batch.adoptions}
        for r in batch.requires:
            forum.requires[r.member].add(r.requirement)
        for r in batch.recognitions:
            forum.recognises[r.member].add(r.scheme)
        forum.audits = {a.id: a for a in batch.audits}
        forum.findings = {f.id: f for f in batch.findings}
        forum.shared = {(s.audit, s.member) for s in batch.shares}
        return forum

    @property
    def members(self) -> list[str]:
        return sorted(n for n, k in self.kind.items() if k == Kind.MEMBER)


def ref_tiers(forum: Forum, member: str) -> dict[str, int]:
    """Tier: the shortest SOURCES_FROM path from the member; the member is not in its network."""
    tiers = nx.single_source_shortest_path_length(forum.sources, member)
    return {node: tier for node, tier in tiers.items() if node != member}


def ref_reached(forum: Forum, member: str, req: str) -> set[str]:
    """Reached: a path from the member on which every buyer PASSED_ON the requirement
    to its seller and every seller ADOPTED it."""
    covered = nx.DiGraph()
    covered.add_node(member)
    covered.add_edges_from(
        (v, w)
        for v, w in forum.sources.edges
        if (v, w, req) in forum.passed and (w, req) in forum.adopted
    )
    return nx.descendants(covered, member) - {member}


def ref_coverage(forum: Forum, member: str, req: str) -> dict:
    tier = ref_tiers(forum, member)
    reached = ref_reached(forum, member, req)
    assert reached <= tier.keys()
    rows = []
    for t in sorted(set(tier.values())):
        at_t = {n for n, nt in tier.items() if nt == t}
        rows.append({"tier": t, "nodes": len(at_t), "reached": len(at_t & reached)})
    gaps = []
    for v in [member, *reached]:
        for w in forum.sources.successors(v):
            if w in tier and w not in reached:
                reason = "NOT_ADOPTED" if (v, w, req) in forum.passed else "NOT_PASSED_ON"
                gaps.append({"reason": reason, "buyer": v, "node": w, "tier": tier[w]})
    for w in tier:
        if (w, req) in forum.adopted and w not in reached:
            gaps.append({"reason": "ORPHAN_ADOPTION", "buyer": None, "node": w, "tier": tier[w]})
    gaps.sort(key=lambda g: (g["tier"], g["reason"], g["node"], g["buyer"] or ""))
    return {
        "member": member,
        "requirement": req,
        "depth": max((tier[n] for n in reached), default=0),
        "nodes": len(tier),
        "reached": len(reached),
        "tiers": rows,
        "gaps": gaps,
    }


def checks_passed(forum: Forum, audit: Audit, member: str, day: date) -> int:
    """How many of DOMAIN.md's checks, in order, the audit passes before its first failure."""
    findings = [f for f in forum.findings.values() if f.audit == audit.id]
    open_ = [f for f in findings if f.status == FindingStatus.OPEN]
    if not audit.audit_date <= day <= audit.valid_until:
        return 0
    if audit.scheme not in forum.recognises[member]:
        return 1
    visible = (
        audit.commissioned_by == member
        or (audit.id, member) in forum.shared
        or audit.shared_with_all  # the node is in the member's network: it is a customer
    )
    if not visible:
        return 2
    if any(f.severity == Severity.CRITICAL for f in open_):
        return 3
    if any(f.due_date is not None and f.due_date < day for f in open_):
        return 4
    return PASSED


def ref_audits(forum: Forum, member: str, day: date, smallholders: bool = False) -> dict:
    tier = ref_tiers(forum, member)
    scope = [n for n in tier if smallholders or forum.kind[n] != Kind.SMALLHOLDER]
    # Audit gaps by tier, then node: the engine's order. cascade.md's "by tier, then
    # reason, then node, then buyer" is read as the cascade gaps' (only they have a buyer).
    scope.sort(key=lambda n: (tier[n], n))
    covering = defaultdict(list)
    for a in forum.audits.values():
        covering[a.organisation].append(a)
    covered: dict[str, list[Audit]] = {}
    gaps = []
    for node in scope:
        audits = covering[node]
        if not audits:
            gaps.append({"node": node, "tier": tier[node], "reason": "NO_AUDIT", "audit": None})
            continue
        score = {a.id: checks_passed(forum, a, member, day) for a in audits}
        passing = [a for a in audits if score[a.id] == PASSED]
        if passing:
            covered[node] = passing
            continue
        best = max(audits, key=lambda a: (score[a.id], a.id))  # ties: the greater id
        reason = CHECKS[score[best.id]]
        gaps.append({"node": node, "tier": tier[node], "reason": reason, "audit": best.id})
    saved = sum(all(a.commissioned_by != member for a in p) for p in covered.values())
    return {
        "member": member,
        "as_of": day.isoformat(),
        "include_smallholders": smallholders,
        "in_scope": len(scope),
        "covered": len(covered),
        "saved": saved,
        "savings": saved / len(covered) if covered else None,
        "audits_used": sorted({a.id for p in covered.values() for a in p}),
        "gaps": gaps,
    }


# ---- comparing --------------------------------------------------------------
def differences(got: list, want: list, limit: int = 8) -> str:
    """What a long list (of gaps, tiers or audit ids) has too many, too few or in
    another order."""

    def key(row):
        return tuple(sorted(row.items())) if isinstance(row, dict) else row

    def shown(row):
        return dict(row) if isinstance(row, tuple) else row

    g, w = {key(r) for r in got}, {key(r) for r in want}
    extra = [shown(r) for r in sorted(g - w, key=str)][:limit]
    missing = [shown(r) for r in sorted(w - g, key=str)][:limit]
    lines = [f"engine {len(got)} rows, reference {len(want)}"]
    lines += [f"  only in engine:    {r}" for r in extra]
    lines += [f"  only in reference: {r}" for r in missing]
    if not extra and not missing:
        first = next(i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b)
        lines.append(f"  order differs from index {first}: {got[first]} vs {want[first]}")
    return "\n".join(lines)


def assert_same(got: dict, want: dict, where: str) -> None:
    """Equal payloads: scalars as one dict, each list with its differences spelled out."""
    assert got.keys() == want.keys(), where
    scalars = [k for k, v in want.items() if not isinstance(v, list)]
    assert {k: got[k] for k in scalars} == {k: want[k] for k in scalars}, where
    for name, rows in want.items():
        if isinstance(rows, list) and got[name] != rows:
            pytest.fail(f"{where}: {name} differ\n{differences(got[name], rows)}")


def check_forum(store: GraphStore, batch: GraphBatch, days: list[date], label: str) -> Forum:
    """Every member on every day: the engine's saved payloads against the reference."""
    forum = Forum.of(batch)
    store.write(batch)
    for member in forum.members:
        where = f"{label} member={member}"
        assert walk(store, member).tier == ref_tiers(forum, member), where
        for day in days:
            job = run_here(store, JobSpec(member, as_of=day))
            assert job["state"] == "done", where
            for req in sorted(forum.requires[member]):
                got = latest(store, "coverage", member, req)[0].payload
                assert_same(got, ref_coverage(forum, member, req), f"{where} req={req}")
            at = f"{where} day={day}"
            got = latest(store, "audits", member, day.isoformat())[0].payload
            assert_same(got, ref_audits(forum, member, day), at)
            with_sh = live_audit_status(store, member, day, include_smallholders=True).as_dict()
            assert_same(with_sh, ref_audits(forum, member, day, True), f"{at} smallholders")
    for day in days:
        statuses = [live_audit_status(store, m, day) for m in forum.members]
        refs = [ref_audits(forum, m, day) for m in forum.members]
        used = set().union(*(r["audits_used"] for r in refs))
        covered = sum(r["covered"] for r in refs)
        assert forum_savings(statuses) == {
            "members": len(refs),
            "covered": covered,
            "audits": len(used),
            "per_audit": covered / len(used) if used else None,
        }, f"{label} day={day} forum savings"
    return forum


# ---- the days ---------------------------------------------------------------
def boundary_day(forum: Forum, edge: str) -> date:
    """An audit's audit_date or valid_until (edge) on which, for some member whose
    scope holds its node, it passes every other check: validity alone decides there."""
    for audit in sorted(forum.audits.values(), key=lambda a: a.id):
        day = getattr(audit, edge)
        if day == REFERENCE_DAY or forum.kind[audit.organisation] == Kind.SMALLHOLDER:
            continue
        for member in forum.members:
            if audit.organisation in ref_tiers(forum, member):
                if checks_passed(forum, audit, member, day) == PASSED:
                    return day
    raise AssertionError(f"no audit decides on its {edge}")


GENERATED = [(300, 2, 1), (600, 3, 2), (800, 4, 3), (1000, 2, 4), (1200, 3, 5), (1500, 4, 6)]


@pytest.mark.parametrize(("nodes", "members", "seed"), GENERATED)
def test_generated_forums_match_the_reference(engine_store, nodes, members, seed):
    batch = generate(nodes=nodes, members=members, seed=seed)
    forum = Forum.of(batch)
    first, last = boundary_day(forum, "audit_date"), boundary_day(forum, "valid_until")
    days = [REFERENCE_DAY, first, last]
    # the boundary days hold audits valid exactly from / up to them, and on the
    # generator's today some node's best audit has an open finding past its due day
    assert any(a.audit_date == first for a in forum.audits.values())
    assert any(a.valid_until == last for a in forum.audits.values())
    assert any(
        g["reason"] == "OVERDUE_FINDING"
        for m in forum.members
        for g in ref_audits(forum, m, REFERENCE_DAY)["gaps"]
    )
    check_forum(engine_store, batch, days, f"seed={seed} nodes={nodes}")


# ---- the rarer cases, on a mutated forum ------------------------------------
D, DAY1 = REFERENCE_DAY, timedelta(days=1)


def x_audit(audit_id, node, scheme, by, start=D - 100 * DAY1, until=D + 300 * DAY1, to_all=False):
    return Audit(audit_id, node, scheme, start, until, by, None, None, to_all)


def x_finding(finding_id, audit_id, severity, status, due):
    return Finding(finding_id, audit_id, Severity(severity), FindingStatus(status), None, due)


def mutated() -> tuple[GraphBatch, dict[str, str]]:
    """A generated forum, plus a hand-made corner of the first member's network.

    M -> X-HUB -> X-V1..X-V10 (audit cases), X-V1 -> X-SH (an audited smallholder)
    M -> X-A1 -> X-G <- X-B1 <- M (two reached buyers, one passes to X-G)
    M -> X-P -> X-Q (X-P not told; X-Q told by X-P and adopted: an orphan)
    M ~> X-FAR (passed on without a SOURCES_FROM edge), X-Q -> X-FAR, X-FAR adopts
    X-A1 -> M, X-LOOP -> M (cycles back to the member, passed on, M adopts)
    M -> X-A1 under two commodities; M -> X-N (passed on, not adopted)
    M -> M2 (a member supplying M), audited by itself and shared with M
    X-M0: a member with no supplier; X-M1 -> X-V10, X-SH: no covered node at all
    """
    batch = generate(nodes=400, members=3, seed=7)
    forum = Forum.of(batch)
    m, m2, m3 = forum.members
    assert m2 in ref_tiers(forum, m)  # the generator's member supplying a member
    req = sorted(forum.requires[m])[0]
    ok = sorted(forum.recognises[m])[0]
    assert "WRAP" not in forum.recognises[m]
    new = ["X-HUB", *(f"X-V{i}" for i in range(1, 11)), "X-A1", "X-B1", "X-G", "X-P", "X-Q"]
    new += ["X-FAR", "X-LOOP", "X-N"]
    batch.organisations += [Organisation(n, Kind.SUPPLIER, n, "GH") for n in new]
    batch.organisations.append(Organisation("X-SH", Kind.SMALLHOLDER, "X-SH", "GH"))
    pairs = [("X-HUB", f"X-V{i}") for i in range(1, 11)] + [("X-V1", "X-SH")]
    pairs += [(m, "X-HUB"), (m, "X-A1"), (m, "X-B1"), ("X-A1", "X-G"), ("X-B1", "X-G")]
    pairs += [(m, "X-P"), ("X-P", "X-Q"), ("X-Q", "X-FAR"), (m, "X-LOOP"), ("X-LOOP", m)]
    pairs += [("X-A1", m), (m, "X-N"), ("X-V2", "X-A1")]
    batch.sourcing += [Sourcing(b, s, "cocoa") for b, s in pairs]
    batch.sourcing += [Sourcing(m, "X-A1", "tea"), Sourcing("X-A1", "X-G", "coffee")]
    told = [(m, "X-A1"), (m, "X-B1"), ("X-A1", "X-G"), ("X-P", "X-Q"), (m, "X-FAR")]
    told += [("X-A1", m), ("X-LOOP", m), (m, "X-LOOP"), (m, "X-N")]
    batch.pass_on += [PassOn(b, s, req) for b, s in told]
    adopters = ["X-A1", "X-B1", "X-Q", "X-FAR", m, "X-LOOP"]
    batch.adoptions += [Adoption(o, req) for o in adopters]
    batch.audits += [
        x_audit("X-AUD-01", "X-V1", ok, m, start=D),  # valid from D: covered, own
        x_audit("X-AUD-02", "X-V2", ok, m2, until=D, to_all=True),  # up to D, shared with all
        x_audit("X-AUD-03", "X-V3", ok, m, until=D - DAY1),  # expired the day before
        x_audit("X-AUD-04", "X-V3", ok, m, start=D + DAY1),  # not valid yet: tie, greater id
        x_audit("X-AUD-05", "X-V4", ok, m, until=D - DAY1),
        x_audit("X-AUD-06", "X-V4", "WRAP", m),  # unrecognised beats expired
        x_audit("X-AUD-07", "X-V5", ok, "X-V5"),  # the supplier's own, not shared
        x_audit("X-AUD-08", "X-V5", ok, m2),  # shared with someone else: tie, greater id
        x_audit("X-AUD-09", "X-V6", ok, m3),  # shared with M, open critical finding
        x_audit("X-AUD-10", "X-V7", ok, m),  # findings closed or due on D: covered
        x_audit("X-AUD-11", "X-V7", ok, m2),  # shared with M and passing too: not saved
        x_audit("X-AUD-12", "X-V8", ok, m),  # overdue by one day
        x_audit("X-AUD-13", "X-V9", ok, m),  # critical and overdue: critical first
        x_audit("X-AUD-14", "X-SH", ok, m2, to_all=True),  # a smallholder's, saved
        x_audit("X-AUD-15", m2, ok, m2),  # a member's own audit, shared with M
    ]
    batch.shares += [Share("X-AUD-08", m3), Share("X-AUD-09", m), Share("X-AUD-11", m)]
    batch.shares += [Share("X-AUD-15", m)]
    # two more members: one with no supplier, one whose network nothing covers
    batch.organisations += [Organisation(n, Kind.MEMBER, n, "NL") for n in ("X-M0", "X-M1")]
    batch.requirements += [Requirement("X-REQ-0", "code"), Requirement("X-REQ-1", "code")]
    batch.requires += [Requires("X-M0", "X-REQ-0"), Requires("X-M1", "X-REQ-1")]
    batch.recognitions += [Recognition("X-M1", ok)]
    batch.sourcing += [Sourcing("X-M1", "X-V10", "tea"), Sourcing("X-M1", "X-SH", "tea")]
    batch.pass_on += [PassOn("X-M1", "X-V10", "X-REQ-1")]
    batch.adoptions += [Adoption("X-SH", "X-REQ-1")]
    batch.findings += [
        x_finding("X-F1", "X-AUD-09", "critical", "open", D + 30 * DAY1),
        x_finding("X-F2", "X-AUD-10", "critical", "closed", D - 5 * DAY1),
        x_finding("X-F3", "X-AUD-10", "minor", "open", D),
        x_finding("X-F4", "X-AUD-10", "major", "closed", D - 9 * DAY1),
        x_finding("X-F5", "X-AUD-10", "major", "open", None),
        x_finding("X-F6", "X-AUD-12", "major", "open", D - DAY1),
        x_finding("X-F7", "X-AUD-13", "critical", "open", None),
        x_finding("X-F8", "X-AUD-13", "minor", "open", D - 40 * DAY1),
    ]
    return batch, {"member": m, "requirement": req}


def test_a_mutated_forum_with_the_rarer_cases_matches_the_reference(store):
    batch, names = mutated()
    m, req = names["member"], names["requirement"]
    forum = check_forum(store, batch, [D - DAY1, D, D + DAY1], "mutated")

    # The reference itself, on the cases the mutation built (so they stay built).
    assert m not in ref_tiers(forum, m) and ref_tiers(forum, m)["X-V1"] == 2
    cov = ref_coverage(forum, m, req)
    mine = {(g["reason"], g["buyer"], g["node"]) for g in cov["gaps"] if g["node"].startswith("X-")}
    assert mine == {
        ("NOT_PASSED_ON", m, "X-HUB"),
        ("NOT_PASSED_ON", m, "X-P"),
        ("NOT_ADOPTED", m, "X-N"),
        ("NOT_ADOPTED", "X-A1", "X-G"),
        ("NOT_PASSED_ON", "X-B1", "X-G"),
        ("ORPHAN_ADOPTION", None, "X-Q"),
        ("ORPHAN_ADOPTION", None, "X-FAR"),
    }
    assert {"X-A1", "X-B1", "X-LOOP"} <= ref_reached(forum, m, req)
    audits = ref_audits(forum, m, D, smallholders=True)
    by_node = {g["node"]: (g["reason"], g["audit"]) for g in audits["gaps"]}
    assert {n: by_node[n] for n in sorted(by_node) if n.startswith("X-V")} == {
        "X-V10": ("NO_AUDIT", None),
        "X-V3": ("EXPIRED", "X-AUD-04"),
        "X-V4": ("UNRECOGNISED_SCHEME", "X-AUD-06"),
        "X-V5": ("NOT_SHARED", "X-AUD-08"),
        "X-V6": ("OPEN_CRITICAL_FINDING", "X-AUD-09"),
        "X-V8": ("OVERDUE_FINDING", "X-AUD-12"),
        "X-V9": ("OPEN_CRITICAL_FINDING", "X-AUD-13"),
    }
    for audit in ("X-AUD-01", "X-AUD-02", "X-AUD-10", "X-AUD-11", "X-AUD-14"):
        assert audit in audits["audits_used"]
    assert "X-AUD-14" not in ref_audits(forum, m, D)["audits_used"]  # smallholders: asked only
    before, after = ref_audits(forum, m, D - DAY1), ref_audits(forum, m, D + DAY1)
    assert "X-AUD-01" not in before["audits_used"] and "X-AUD-02" not in after["audits_used"]
    assert "X-AUD-15" in audits["audits_used"]
    assert ref_coverage(forum, "X-M0", "X-REQ-0")["tiers"] == []
    assert ref_audits(forum, "X-M0", D)["savings"] is None
    assert [(g["reason"], g["node"]) for g in ref_coverage(forum, "X-M1", "X-REQ-1")["gaps"]] == [
        ("NOT_ADOPTED", "X-V10"),
        ("NOT_PASSED_ON", "X-SH"),
        ("ORPHAN_ADOPTION", "X-SH"),
    ]
    assert ref_audits(forum, "X-M1", D)["savings"] is None
    assert ref_audits(forum, "X-M1", D, smallholders=True)["savings"] == 1.0
