"""Tier coverage of a view carried through random write sequences (views.carry: nodes
and reached per tier moved with the nodes whose tier changed, not recounted) equals
a naive recount from DOMAIN.md's definitions after every step: tiers by a
breadth-first walk of the edges written, reached by a walk along the edges the
requirement was passed on along into nodes that adopted it. Hypothesis draws the
writes and which steps are read (several writes between two reads are carried in
one go); the embedded store on a real SQLite file."""

from __future__ import annotations

import tempfile
from collections import deque
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access.principal import Principal, Role
from graph.model import Adoption, GraphBatch, PassOn, Requirement, Requires, Sourcing
from graph.sqlite_store import SqliteStore
from tests.factories import org
from views import coverage as coverage_views
from views import member as member_views

M1 = Principal(Role.SOURCING, "M1", "k1")
REQUIREMENTS = ("R1", "R2")
START = [f"S{i}" for i in range(8)]

# One write: (kind, buyer index, seller index, requirement index, read after it).
WRITE = st.tuples(
    st.sampled_from(("register", "edge", "passOn", "adopt", "cover", "passOnEdge", "adoptSeller")),
    st.integers(0, 63),
    st.integers(0, 63),
    st.integers(0, 1),
    st.booleans(),
)


def naive_tiers(edges: set[tuple[str, str]], member: str) -> dict[str, int]:
    tier, queue = {member: 0}, deque([member])
    while queue:
        buyer = queue.popleft()
        for b, s in sorted(edges):
            if b == buyer and s not in tier:
                tier[s] = tier[buyer] + 1
                queue.append(s)
    del tier[member]
    return tier


def naive_reached(edges, passed, adopted, member: str, requirement: str) -> set[str]:
    reached, queue = set(), deque([member])
    while queue:
        v = queue.popleft()
        for b, s in sorted(edges):
            covered = (b, s, requirement) in passed and (s, requirement) in adopted
            if b == v and covered and s != member and s not in reached:
                reached.add(s)
                queue.append(s)
    return reached


def naive_counts(edges, passed, adopted, requirement: str) -> list[tuple[int, int, int]]:
    tiers = naive_tiers(edges, "M1")
    reached = naive_reached(edges, passed, adopted, "M1", requirement)
    out = []
    for t in sorted(set(tiers.values())):
        at = [n for n, k in tiers.items() if k == t]
        out.append((t, len(at), sum(n in reached for n in at)))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WRITE, min_size=1, max_size=14))
def test_carried_tier_coverage_equals_a_recount(writes):
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "data")
        edges = {("M1", "S0"), ("S0", "S1"), ("S1", "S2"), ("M1", "S3"), ("S3", "S4")}
        passed = {("M1", "S0", "R1"), ("S0", "S1", "R1"), ("M1", "S3", "R2")}
        adopted = {("S0", "R1"), ("S1", "R1"), ("S3", "R2"), ("S4", "R2")}
        store.write(
            GraphBatch(
                organisations=[org("M1", "member"), *map(org, START)],
                requirements=[Requirement(r, r) for r in REQUIREMENTS],
                requires=[Requires("M1", r) for r in REQUIREMENTS],
                sourcing=[Sourcing(b, s, "cocoa") for b, s in sorted(edges)],
                pass_on=[PassOn(b, s, r) for b, s, r in sorted(passed)],
                adoptions=[Adoption(o, r) for o, r in sorted(adopted)],
            )
        )
        ids = ["M1", *START]
        read_all(store, edges, passed, adopted)
        for step, (kind, b, s, r, read) in enumerate(writes):
            buyer, seller, requirement = ids[b % len(ids)], ids[s % len(ids)], REQUIREMENTS[r]
            if kind in ("cover", "passOnEdge", "adoptSeller"):  # on an edge written before:
                buyer, seller = sorted(edges)[b % len(edges)]  # reach grows, now or later
            batch = GraphBatch()
            if kind == "register":
                seller = f"N{step}"
                batch.organisations.append(org(seller))
                ids.append(seller)
            if kind in ("register", "edge") and buyer != seller:
                batch.sourcing.append(Sourcing(buyer, seller, "cocoa"))
                edges.add((buyer, seller))
            if kind in ("passOn", "cover", "passOnEdge"):
                batch.pass_on.append(PassOn(buyer, seller, requirement))
                passed.add((buyer, seller, requirement))
            if kind in ("adopt", "cover", "adoptSeller"):
                batch.adoptions.append(Adoption(seller, requirement))
                adopted.add((seller, requirement))
            store.write(batch)
            if read:
                read_all(store, edges, passed, adopted)
        read_all(store, edges, passed, adopted)
        member_views._kept.pop(store, None)


def read_all(store, edges, passed, adopted) -> None:
    for r in REQUIREMENTS:
        shown = coverage_views.tier_coverage(principal=M1, store=store, requirement=r)
        want = naive_counts(edges, passed, adopted, r)
        assert [(t.tier, t.nodes, t.reached) for t in shown.tiers] == want
        assert shown.nodes == sum(n for _, n, _ in want)
        assert shown.reached == sum(k for _, _, k in want)
        assert shown.depth == max((t for t, _, k in want if k), default=0)
