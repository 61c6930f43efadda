"""What a catch-up no longer keeps up (cascade.projection.Projection.passed: made from
the pass-on pairs when asked, carried over only when made and no edge moved) and how
a carried reached set grows (cascade.coverage.grown: sorted searches from the nodes
that joined), after random sequences of writes on both stores, against DOMAIN.md
restated by hand: the edges a requirement was passed on along are the SOURCES_FROM
pairs it was PASSED_ON along, and tierCoverage's tiers and reached counts are those
of a breadth-first walk and of a walk along covered edges. `passed` is asked at some
steps and not at others, so both its carried and its freshly made forms are checked;
every projection is also compared with a fresh build of the same store."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access.principal import Principal, Role
from cascade import projection as projections
from cascade.projection import Projection
from graph.model import Adoption, GraphBatch, PassOn, Requirement, Requires, Sourcing
from tests.factories import org
from tests.views.test_counts_carried import naive_reached, naive_tiers
from views.coverage import tier_coverage

REQUIREMENTS = ("R1", "R2")
OPS = st.lists(
    st.tuples(
        st.sampled_from(("register", "edge", "passOn", "adopt", "cover", "unlink")),
        st.integers(0, 63),
        st.integers(0, 63),
        st.integers(0, 1),
        st.booleans(),  # read tierCoverage after it (else the writes pile up)
        st.booleans(),  # ask the projection for `passed` after it
    ),
    min_size=1,
    max_size=12,
)
_run = iter(range(10**9))  # ids unique across examples (the store is kept between them)


def passed_by_id(p: Projection, prefix: str) -> set[tuple[str, str, str]]:
    """(buyer, seller, requirement) of every edge number in p.passed, for this run's ids."""
    out = set()
    for r, edges in p.passed.items():
        assert edges.tolist() == sorted(set(edges.tolist())), "sorted, distinct"
        for e in edges.tolist():
            buyer = int((p.indptr <= e).sum()) - 1
            b, s = str(p.ids[buyer]), str(p.ids[p.indices[e]])
            if b.startswith(prefix):
                out.add((b, s, r))
    return out


def naive_counts(edges, passed, adopted, member: str, requirement: str) -> list[tuple]:
    """(tier, nodes, reached) per tier, restated from DOMAIN.md (tests.views)."""
    tier = naive_tiers(edges, member)
    reached = naive_reached(edges, passed, adopted, member, requirement)
    return [
        (t, sum(k == t for k in tier.values()), sum(tier[n] == t for n in reached))
        for t in sorted(set(tier.values()))
    ]


def chains(nodes: list[str]) -> tuple[set, set, set]:
    """(edges, passed, adopted): member -> 1 -> 2 -> 5 covered for R1 but for 2's
    adoption, and 2 -> 7 not passed on though 7 adopted R1 (an orphan); the same for
    R2 along member -> 3 -> 4 -> 6 and 4 -> 8. When 2 (or 4) adopts, two nodes join."""
    edges, passed, adopted = set(), set(), set()
    for x, y, z, w, r in [(1, 2, 5, 7, "R1"), (3, 4, 6, 8, "R2")]:
        m, x_, y_, z_, w_ = nodes[0], nodes[x], nodes[y], nodes[z], nodes[w]
        edges |= {(m, x_), (x_, y_), (y_, z_), (y_, w_)}
        passed |= {(m, x_, r), (x_, y_, r), (y_, z_, r)}
        adopted |= {(x_, r), (z_, r), (w_, r)}
    return edges, passed, adopted


def write_forum(store, nodes: list[str], edges: set, passed: set, adopted: set) -> None:
    store.write(
        GraphBatch(
            organisations=[org(nodes[0], "member"), *map(org, nodes[1:])],
            sourcing=[Sourcing(b, s, "cocoa") for b, s in sorted(edges)],
            requirements=[Requirement(r, r) for r in REQUIREMENTS],
            requires=[Requires(nodes[0], r) for r in REQUIREMENTS],
            pass_on=[PassOn(b, s, r) for b, s, r in sorted(passed)],
            adoptions=[Adoption(o, r) for o, r in sorted(adopted)],
        )
    )


def test_an_adoption_lets_the_chain_behind_it_join_a_carried_reached_set(engine_store):
    store = engine_store
    nodes = ["M1", *(f"S{i}" for i in range(1, 9))]
    edges, passed, adopted = chains(nodes)
    write_forum(store, nodes, edges, passed, adopted)
    principal = Principal(Role.SOURCING, "M1", "k1")
    for r in REQUIREMENTS:
        tier_coverage(principal=principal, store=store, requirement=r)  # walked: 1 reached
    store.write(GraphBatch(adoptions=[Adoption("S2", "R1")]))
    found = tier_coverage(principal=principal, store=store, requirement="R1")
    # S1 (tier 1), S2 (tier 2), S5 (tier 3) reached; S7 (tier 3) adopted, not passed to
    assert [(t.tier, t.nodes, t.reached) for t in found.tiers] == [(1, 2, 1), (2, 2, 1), (3, 4, 1)]
    assert [(t.tier, t.nodes, t.reached) for t in found.tiers] == naive_counts(
        edges, passed, adopted | {("S2", "R1")}, "M1", "R1"
    )


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_passed_and_carried_coverage_after_random_writes(engine_store, ops):
    store = engine_store
    run = next(_run)
    prefix = f"X{run}-"
    member = f"{prefix}M"
    nodes = [member, *(f"{prefix}S{i}" for i in range(1, 9))]
    edges, passed, adopted = chains(nodes)
    write_forum(store, nodes, edges, passed, adopted)
    principal = Principal(Role.SOURCING, member, f"k{run}")
    for r in REQUIREMENTS:  # walked once: later reads carry the view
        tier_coverage(principal=principal, store=store, requirement=r)
    for step, (op, a, b, r_at, read, ask) in enumerate(ops):
        r = REQUIREMENTS[r_at]
        buyer, seller = nodes[a % len(nodes)], nodes[b % len(nodes)]
        if op == "register":
            new = f"{prefix}N{step}"
            nodes.append(new)
            edges.add((buyer, new))
            store.write(GraphBatch(organisations=[org(new)], sourcing=[Sourcing(buyer, new, "x")]))
        elif op == "unlink":
            if (buyer, seller) not in edges:
                continue
            edges.discard((buyer, seller))
            store.remove_sourcing(buyer, seller)
        elif buyer == seller or seller == member:
            continue
        elif op == "edge":
            edges.add((buyer, seller))
            store.write(GraphBatch(sourcing=[Sourcing(buyer, seller, "x")]))
        elif op == "passOn":
            passed.add((buyer, seller, r))
            store.write(GraphBatch(pass_on=[PassOn(buyer, seller, r)]))
        elif op == "adopt":
            adopted.add((seller, r))
            store.write(GraphBatch(adoptions=[Adoption(seller, r)]))
        else:  # cover: a pass-on into a node that adopts, in one write
            passed.add((buyer, seller, r))
            adopted.add((seller, r))
            store.write(
                GraphBatch(pass_on=[PassOn(buyer, seller, r)], adoptions=[Adoption(seller, r)])
            )
        latest = projections.current(store)
        if ask:
            want = {(b_, s_, r_) for b_, s_, r_ in passed if (b_, s_) in edges}
            assert passed_by_id(latest, prefix) == want
            assert passed_by_id(projections.build(store), prefix) == want
        if read:
            for req in REQUIREMENTS:
                found = tier_coverage(principal=principal, store=store, requirement=req)
                got = [(t.tier, t.nodes, t.reached) for t in found.tiers]
                assert got == naive_counts(edges, passed, adopted, member, req), (step, req)
    want = {(b_, s_, r_) for b_, s_, r_ in passed if (b_, s_) in edges}
    assert passed_by_id(projections.current(store), prefix) == want


@pytest.mark.parametrize("made", [False, True])
def test_a_pass_on_keeps_passed_made_before_and_adds_its_edge(engine_store, made):
    """A pass-on along an edge (no edge moved): `passed`, when made on the older
    projection, is carried over with the new edge in; when not made, made when asked.
    Either way it names the edge, as a fresh build does."""
    store = engine_store
    store.write(
        GraphBatch(
            organisations=[org("M1", "member"), org("S1"), org("S2")],
            sourcing=[Sourcing("M1", "S1", "x"), Sourcing("S1", "S2", "x")],
            requirements=[Requirement("R1", "R1")],
            pass_on=[PassOn("M1", "S1", "R1")],
        )
    )
    projections.forget(store)
    before = projections.current(store)
    if made:
        assert passed_by_id(before, "") == {("M1", "S1", "R1")}
    store.write(GraphBatch(pass_on=[PassOn("S1", "S2", "R1"), PassOn("S2", "S1", "R1")]))
    after = projections.current(store)
    assert ("passed" in vars(after)) == made  # carried over only when made before
    want = {("M1", "S1", "R1"), ("S1", "S2", "R1")}  # S2 -> S1 is no SOURCES_FROM edge
    assert passed_by_id(after, "") == want == passed_by_id(projections.build(store), "")
