"""The joint list, a member's savings potential and the forum's figure against a
naive re-statement of DOMAIN.md, on generated forums (with the generator's
consents), on days that include audits' first and last valid days. The reference
reads the batch's rows directly (networkx for the networks), nothing of
jointlist/, cascade/ or views/."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import networkx as nx
import pytest

from access.principal import Principal, Role
from graph.model import FindingStatus, GraphBatch, Kind, Severity
from graph.store import RequestStatus
from jointlist.forum import forum_savings
from jointlist.listing import joint_list_on
from jointlist.potential import savings_potential
from loaders import beside
from loaders.generate import REFERENCE_DAY, generate
from loaders.generate_requests import granted
from loaders.load import load
from loaders.writers import write_csv_dir

STEPS = ("EXPIRED", "UNRECOGNISED_SCHEME", "NOT_SHARED", "OPEN_CRITICAL_FINDING", "OVERDUE")


class Ref:
    def __init__(self, batch: GraphBatch):
        self.batch = batch
        self.orgs = {o.id: o for o in batch.organisations}
        self.audits = {a.id: a for a in batch.audits}
        self.findings = {f.id: f for f in batch.findings}
        self.open = {a: [] for a in self.audits}
        for f in self.findings.values():
            if f.status == FindingStatus.OPEN:
                self.open[f.audit].append(f)
        self.shares = {(s.audit, s.member) for s in batch.shares}
        self.recognised = {(r.member, r.scheme) for r in batch.recognitions}
        graph = nx.DiGraph((s.buyer, s.seller) for s in batch.sourcing)
        self.members = sorted(o.id for o in batch.organisations if o.kind == Kind.MEMBER)
        self.network = {
            m: (nx.descendants(graph, m) - {m}) if m in graph else set() for m in self.members
        }
        self.tier = {
            m: nx.single_source_shortest_path_length(graph, m) if m in graph else {}
            for m in self.members
        }

    def passed(self, a, member: str, day: date) -> int:
        """How many of DOMAIN.md's checks the audit passes before its first failure."""
        if not a.audit_date <= day <= a.valid_until:
            return 0
        if (member, a.scheme) not in self.recognised:
            return 1
        if not (a.commissioned_by == member or a.shared_with_all or (a.id, member) in self.shares):
            return 2
        if any(f.severity == Severity.CRITICAL for f in self.open[a.id]):
            return 3
        if any(f.due_date is not None and f.due_date < day for f in self.open[a.id]):
            return 4
        return 5

    def joint_list(self, day: date) -> list[dict]:
        out = []
        for o in sorted(self.orgs.values(), key=lambda o: o.id):
            valid = [
                a
                for a in self.audits.values()
                if a.organisation == o.id and a.audit_date <= day <= a.valid_until
            ]
            if o.kind != Kind.SUPPLIER or not o.listed or not valid:
                continue
            holding = sum(o.id in self.network[m] for m in self.members)
            band = "0" if holding == 0 else "1" if holding == 1 else "2-4" if holding < 5 else "5+"
            out.append(
                {
                    "id": o.id,
                    "name": o.name,
                    "country": o.country,
                    "audits": [
                        {"scheme": a.scheme, "valid_until": a.valid_until.isoformat()}
                        for a in sorted(valid, key=lambda a: (a.scheme, a.valid_until))
                    ],
                    "open_critical_finding": any(
                        f.severity == Severity.CRITICAL for a in valid for f in self.open[a.id]
                    ),
                    "networks": band,
                }
            )
        return out

    def status(self, member: str, day: date):
        """(covered node -> passing audits, node -> (reason, schemes at that step))."""
        covered, gaps = {}, {}
        for node in self.network[member]:
            if self.orgs[node].kind == Kind.SMALLHOLDER:
                continue
            mine = [a for a in self.audits.values() if a.organisation == node]
            score = {a.id: self.passed(a, member, day) for a in mine}
            passing = [a for a in mine if score[a.id] == 5]
            if passing:
                covered[node] = passing
            elif mine:
                best = max(score.values())
                schemes = sorted({a.scheme for a in mine if score[a.id] == best})
                gaps[node] = (STEPS[best], schemes)
        return covered, gaps


def _days(batch: GraphBatch) -> list[date]:
    """Today and audits' first and last valid days (the bounds are inclusive)."""
    audits = sorted(batch.audits, key=lambda a: a.id)
    picked = {REFERENCE_DAY}
    picked |= {a.audit_date for a in audits[::17][:3]}
    picked |= {a.valid_until for a in audits[5::19][:3]}
    return sorted(picked)


@pytest.mark.parametrize("seed", [7, 23])
def test_the_service_matches_the_reference_on_a_generated_forum(engine_store, seed):
    batch = generate(nodes=400, members=3, seed=seed)
    engine_store.write(batch)
    _compare(engine_store, batch)


def test_granted_requests_turn_gaps_into_coverage(engine_store, tmp_path):
    """The generator's share requests (every state) and plans, through the loader: a
    granted request's audit is visible to its member (DOMAIN.md), the others not."""
    seed = 31
    batch = generate(nodes=400, members=3, seed=seed)
    kept = beside.generated(batch, seed=seed, today=REFERENCE_DAY)
    assert {r.status for r in kept.requests} == set(RequestStatus)
    write_csv_dir(batch, tmp_path)
    beside.write_csv(kept, tmp_path)
    assert load(engine_store, [tmp_path], today=REFERENCE_DAY).ok
    with_grants = replace(batch, shares=[*batch.shares, *granted(kept.requests)])
    _compare(engine_store, with_grants)
    without = Ref(batch)
    ref = Ref(with_grants)
    turned = [
        (m, node)
        for m in ref.members
        for node in ref.status(m, REFERENCE_DAY)[0]
        if without.status(m, REFERENCE_DAY)[1].get(node, ("",))[0] == "NOT_SHARED"
    ]
    assert turned, "some granted request should cover a node that was NOT_SHARED"


def _compare(engine_store, batch: GraphBatch) -> None:
    ref = Ref(batch)
    operator = Principal(Role.OPERATOR, None, "k-op")
    listed_any = False
    for day in _days(batch):
        want = ref.joint_list(day)
        listed_any |= bool(want)
        assert [e.as_dict() for e in joint_list_on(engine_store, day)] == want, day
        used, covered_sum, rows = set(), 0, []
        for m in ref.members:
            covered, gaps = ref.status(m, day)
            covered_sum += len(covered)
            used |= {a.id for found in covered.values() for a in found}
            saved = sum(all(a.commissioned_by != m for a in p) for p in covered.values())
            rows.append((m, len(covered), saved))
            key = Principal(Role.SOURCING, m, f"k-{m}")
            got = savings_potential(principal=key, store=engine_store, as_of=day, first=500)
            for step, reason in (
                (got.not_shared, "NOT_SHARED"),
                (got.unrecognised_scheme, "UNRECOGNISED_SCHEME"),
            ):
                nodes = {n: s for n, (r, s) in gaps.items() if r == reason}
                assert step.nodes == len(nodes), (day, m, reason)
                assert step.by_scheme == sorted(
                    Counter(x for s in nodes.values() for x in s).items()
                ), (day, m, reason)
                order = sorted(nodes, key=lambda n: (ref.tier[m][n], n))[:500]
                assert [(n.node, n.tier, n.schemes) for n in step.shown] == [
                    (n, ref.tier[m][n], nodes[n]) for n in order
                ], (day, m, reason)
        got = forum_savings(principal=operator, store=engine_store, as_of=day)
        assert got["forum"] == {
            "members": len(ref.members),
            "covered": covered_sum,
            "audits": len(used),
            "per_audit": covered_sum / len(used) if used else None,
        }, day
        assert [(r["member"], r["covered"], r["saved"]) for r in got["members"]] == rows, day
    assert listed_any, "the generated forum should list someone"
