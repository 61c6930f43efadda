"""The row copy of graph.neo4j_rows on the real Neo4j: after random write sequences
(renames, identifiers moved, kinds changed, audits moved and re-dated, new rows,
a bulk write; edges written, re-dated and removed) every row and edge it holds
equals what is read over Bolt, and it followed the kept changes instead of reading
everything again."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest

from graph import read_scope
from graph.model import (
    Adoption,
    Audit,
    GraphBatch,
    Kind,
    Organisation,
    PassOn,
    Requirement,
    Requires,
    Sourcing,
)
from graph.neo4j_store import Neo4jStore
from tests.factories import small_network

pytestmark = pytest.mark.neo4j

COUNTRIES = ("GH", "CI", "ID", "NL")


def stored(store: Neo4jStore) -> tuple[list[Organisation], list[Audit]]:
    """Every organisation and audit as read over Bolt (outside any request scope)."""
    everything = store.export()
    ids, audit_ids = [o.id for o in everything.organisations], [a.id for a in everything.audits]
    return store.organisations(ids), store.audits(audit_ids)


def copied(store: Neo4jStore) -> tuple[list[Organisation], list[Audit]]:
    copy = store.rows
    return copy.organisation_rows(copy.organisations), copy.audit_rows(copy.audits)


def brought_up(store: Neo4jStore) -> None:
    store.rows.bring_to(store, store.graph_version(), float("inf"))


def started(store: Neo4jStore, copied_view: Callable, stored_view: Callable) -> int:
    """small_network written and the copy brought up to it, the copy's view equal to
    the stored one; the copy's whole reads so far."""
    store.write(small_network())
    brought_up(store)
    assert copied_view(store) == stored_view(store)
    return store.rows.builds


def random_org(rng: random.Random, i: int, known: list[Organisation]) -> Organisation:
    """A new organisation or a stored one rewritten whole (every field may change)."""
    if known and rng.random() < 0.7:
        base = rng.choice(known)
    else:
        base = Organisation(f"N{i}", Kind.SUPPLIER, f"New {i}", "GH")
    lat = round(rng.uniform(-10, 10), 4) if rng.random() < 0.5 else None
    return replace(
        base,
        kind=rng.choice([Kind.SUPPLIER, Kind.SMALLHOLDER])
        if base.kind != Kind.MEMBER
        else base.kind,
        name=rng.choice([base.name, f"Renamed {i}", f"Ünïcode {i} Sdn Bhd"]),
        country=rng.choice(COUNTRIES),
        duns=rng.choice([None, f"{i:09d}"]),
        abbreviation=rng.choice([None, f"AB{i}"]),
        lat=lat,
        lon=round(rng.uniform(-10, 10), 4) if lat is not None else None,
        listed=rng.random() < 0.5,
    )


def random_audit(rng: random.Random, i: int, orgs: list[Organisation], known: list[Audit]) -> Audit:
    start = date(2025, 1, 1) + timedelta(days=rng.randrange(400))
    base = rng.choice(known) if known and rng.random() < 0.6 else None
    return Audit(
        base.id if base is not None else f"AN{i}",
        rng.choice(orgs).id,
        rng.choice(["SMETA", "SA8000"]),
        start,
        start + timedelta(days=rng.randrange(30, 800)),
        rng.choice([o.id for o in orgs if o.kind == Kind.MEMBER]),
        rng.choice([None, "A", "C"]),
        rng.choice([None, "Bureau Y"]),
        rng.random() < 0.3,
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_rows_carried_through_random_writes_equal_the_stored_ones(neo4j_store, seed):
    store, rng = neo4j_store, random.Random(seed)
    builds = started(store, copied, stored)
    for step in range(8):
        orgs, audits = stored(store)
        batch = GraphBatch(
            organisations=[random_org(rng, step * 10 + k, orgs) for k in range(rng.randrange(4))],
            # One row per audit id: a batch holding one twice leaves the audit
            # covering both organisations (UPSERT_AUDITS; reported, not this module's).
            audits=list(
                {
                    a.id: a
                    for a in (random_audit(rng, step * 10 + k, orgs, audits) for k in range(2))
                }.values()
            ),
        )
        if rng.random() < 0.3:  # an identifier moves: its holder gives it up in the batch
            holder = next(o for o in orgs if o.lei is not None)
            batch.organisations += [
                replace(holder, lei=None),
                replace(rng.choice([o for o in orgs if o.id != holder.id]), lei=holder.lei),
            ]
        store.write(batch)
        if rng.random() < 0.5:  # sometimes several versions at once
            brought_up(store)
            assert copied(store) == stored(store)
    brought_up(store)
    assert copied(store) == stored(store)
    assert store.rows.builds == builds  # followed every change, never read again


def test_a_write_that_keeps_no_change_has_everything_read_again(neo4j_store):
    store = neo4j_store
    store.write(small_network())
    brought_up(store)
    builds = store.rows.builds
    bulk = Neo4jStore(store.driver, single_tx_rows=1)  # the bulk path: no change kept
    s1 = next(o for o in small_network().organisations if o.id == "S1")
    bulk.write(GraphBatch(organisations=[replace(s1, name="Bulk"), replace(s1, id="B9", lei=None)]))
    brought_up(store)
    assert store.rows.builds == builds + 1
    assert copied(store) == stored(store)
    assert [o.name for o in store.rows.organisation_rows(["S1"])] == ["Bulk"]


def test_the_changes_the_projection_read_need_no_read_of_their_own(neo4j_store):
    """changes_since (the projection's catch-up) keeps what it read: the copy follows
    it to the version the request saw without asking Neo4j again."""
    store = neo4j_store
    store.write(small_network())
    brought_up(store)
    before = store.rows.version
    assert before is not None
    s1 = next(o for o in small_network().organisations if o.id == "S1")
    store.write(GraphBatch(organisations=[replace(s1, name="Seen")]))
    after = store.graph_version()
    assert store.changes_since(before) is not None  # as the projection's catch-up reads
    asked: list[str] = []
    store.changes_since = lambda version: asked.append(version)  # type: ignore[method-assign]
    store.rows.bring_to(store, after, float("inf"))
    assert asked == []
    assert [o.name for o in store.rows.organisation_rows(["S1"])] == ["Seen"]


def test_in_a_read_only_request_rows_come_from_the_copy(neo4j_store):
    """Within a request's scope at the version it saw: no Bolt read per row, page
    or audit; and an id the copy does not hold is simply not found (as over Bolt)."""
    store = neo4j_store
    store.write(small_network())
    queries: list[str] = []
    read = store._read
    store._read = lambda query, params: queries.append(query) or read(query, params)  # type: ignore[method-assign]
    read_scope.begin(read_only=True)
    try:
        read_scope.version(store)
        store.organisations(["S1"])  # the first read builds the copy (not through _read)
        queries.clear()
        assert [o.id for o in store.organisations(["S2", "S1", "nope"])] == ["S1", "S2"]
        assert store.label_columns(["S1", "nope"]) == (["S1"], ["S1 Ltd"], ["GH"])
        assert [a.id for a in store.audits(["A1", "A9"])] == ["A1"]
        assert store.countries(["S2", "nope"]) == {"S2": "CI"}
        assert queries == []
    finally:
        read_scope.end()
    assert store.organisations(["S1"])[0].id == "S1"
    assert len(queries) == 1  # outside a scope: over Bolt, as before


# ---- the edges a mutation's checks read (graph.neo4j_edge_rows) ----------------
def stored_edges(store: Neo4jStore) -> tuple[set, set, set, set]:
    """Sourcing pairs, PASSED_ON, ADOPTED and REQUIRES edges as stored (export)."""
    g = store.export()
    return (
        {(s.buyer, s.seller) for s in g.sourcing},
        {(p.buyer, p.seller, p.requirement, p.at) for p in g.pass_on},
        {(a.organisation, a.requirement, a.at, a.evidence) for a in g.adoptions},
        {(r.member, r.requirement) for r in g.requires},
    )


def copied_edges(store: Neo4jStore) -> tuple[set, set, set, set]:
    """The same, as the copy answers the store's port for each organisation."""
    copy, ids = store.rows, list(store.rows.organisations)
    wanted = [(b, s) for b in ids for s in ids]
    return (
        copy.sourcing_pairs(wanted),
        {(p.buyer, p.seller, p.requirement, p.at) for i in ids for p in copy.passed_to(i)},
        {
            (a.organisation, a.requirement, a.at, a.evidence)
            for i in ids
            for a in copy.adoptions_of(i)
        },
        {(m, r) for m in ids for r in copy.requirements_of(m)},
    )


def random_edges(rng: random.Random, step: int, orgs: list[Organisation]) -> GraphBatch:
    """New and rewritten edges: sourcing (a commodity more), PASSED_ON (new or
    re-dated), ADOPTED (new, re-dated, evidence changed or dropped), REQUIRES."""
    ids = [o.id for o in orgs]
    members = [o.id for o in orgs if o.kind == Kind.MEMBER]
    day = date(2025, 1, 1) + timedelta(days=rng.randrange(300))
    pick = rng.choice
    return GraphBatch(
        requirements=[Requirement("R2", "Second code", "1", ("ILO",))] if step == 0 else [],
        sourcing=[
            Sourcing(pick(ids), pick(ids), pick(["cocoa", "palm oil"]), day)
            for _ in range(rng.randrange(3))
        ],
        pass_on=[
            PassOn(pick(ids), pick(ids), pick(["R1", "R2"]), pick([day, None]))
            for _ in range(rng.randrange(3))
        ],
        adoptions=[
            Adoption(pick(ids), pick(["R1", "R2"]), day, pick([None, f"evidence {step}"]))
            for _ in range(rng.randrange(3))
        ],
        requires=[Requires(pick(members), pick(["R1", "R2"]))] if rng.random() < 0.3 else [],
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_edges_carried_through_random_writes_equal_the_stored_ones(neo4j_store, seed):
    """Edges written, re-dated and removed (one commodity of several, or a pair's last
    one) in random sequences: the copy's answers equal Neo4j's at each version it
    reaches, and it never read everything again."""
    store, rng = neo4j_store, random.Random(seed)
    builds = started(store, copied_edges, stored_edges)
    for step in range(10):
        orgs, _ = stored(store)
        store.write(random_edges(rng, step, orgs))
        pairs = sorted(stored_edges(store)[0])
        for _ in range(rng.randrange(3)):  # removals: a commodity, or every one of a pair
            buyer, seller = rng.choice(pairs)
            store.remove_sourcing(buyer, seller, rng.choice([None, "cocoa", "palm oil"]))
        if rng.random() < 0.5:
            brought_up(store)
            assert copied_edges(store) == stored_edges(store)
    brought_up(store)
    assert copied_edges(store) == stored_edges(store)
    assert store.rows.builds == builds


def test_a_mutations_checks_read_the_changes_once_and_see_another_process_write(neo4j_store):
    """Inside a pin (graph.read_scope.pinned) the checks are one read of the kept
    changes, then memory; a write through another store (another process) before the
    pin shows; after unpin() a read goes to Neo4j again."""
    store = neo4j_store
    store.write(small_network())
    brought_up(store)
    other = Neo4jStore(store.driver)  # another process's store: its own copy
    other.write(GraphBatch(pass_on=[PassOn("S1", "S2", "R1", date(2026, 1, 5))]))
    other.remove_sourcing("M1", "S3")
    queries: list[str] = []
    read = store._read
    store._read = lambda query, params: queries.append(query) or read(query, params)  # type: ignore[method-assign]
    with read_scope.pinned():
        assert store.passed_to("S2") == [PassOn("S1", "S2", "R1", date(2026, 1, 5))]
        assert store.sourcing_pairs([("M1", "S3"), ("M1", "S1")]) == {("M1", "S1")}
        assert store.kinds(["S1", "M1", "nope"]) == {"S1": Kind.SUPPLIER, "M1": Kind.MEMBER}
        assert store.adoptions_of("S1") == [Adoption("S1", "R1", date(2025, 3, 2), "signed code")]
        assert store.requirements_of("M1") == ["R1"]
        assert [o.id for o in store.organisations(["S2", "S1"])] == ["S1", "S2"]
        assert store.changes_since(store.rows.version) == []  # no round trip either
        assert len(queries) == 1  # the changes since the copy's version
        read_scope.unpin()  # as mutations.record.perform does before it writes
        store.write(GraphBatch(pass_on=[PassOn("S3", "S2", "R1", date(2026, 1, 6))]))
        assert [p.buyer for p in store.passed_to("S2")] == ["S1", "S3"]
        assert len(queries) == 2  # read over Bolt: the write shows


def test_a_registrations_kept_choices_are_read_with_the_changes(neo4j_store):
    """The kept choices a registration's pin names ahead (mutations.registration.
    verdicts_ahead) come in the one read that brings the copy up after the pin
    began: a choice kept through another store (another process) before the pin is
    there, a key not named ahead is read on its own, and after unpin() every key."""
    from graph.store import MatchVerdict, Mutation, MutationRecord

    store = neo4j_store
    store.write(small_network())
    brought_up(store)
    other = Neo4jStore(store.driver)
    record = MutationRecord("m1", "match", None, "operator", "cli", "2026-01-01", None, "x", {})
    kept = (
        MatchVerdict("GH", "acme", None, "S1", True),
        MatchVerdict("GH", "acme", None, "S3", False),
    )
    other.apply(Mutation(record, verdicts=kept))
    queries: list[str] = []
    read = store._read
    store._read = lambda query, params: queries.append(query) or read(query, params)  # type: ignore[method-assign]
    with read_scope.pinned() as pin:
        pin.ahead["match_verdicts"] = [("GH", "acme", None), ("CI", "none", "X")]
        assert store.kinds(["S1"]) == {"S1": Kind.SUPPLIER}  # the pin's one read
        assert store.match_verdicts("GH", "acme", None) == {"S1": True, "S3": False}
        assert store.match_verdicts("CI", "none", "X") == {}
        assert len(queries) == 1
        assert store.match_verdicts("GH", "other", None) == {}  # not named ahead: read
        assert len(queries) == 2
        read_scope.unpin()
        assert store.match_verdicts("GH", "acme", None) == {"S1": True, "S3": False}
        assert len(queries) == 3


def test_in_a_request_the_changes_to_its_version_are_kept_and_newer_ones_read(neo4j_store):
    """changes_since inside a read-only request: the changes up to the version the
    request saw come from those read before (no round trip); from that version on
    they are read (the projection asks after reading a newer version: never [])."""
    store = neo4j_store
    store.write(small_network())
    s1 = next(o for o in small_network().organisations if o.id == "S1")
    before = store.graph_version()
    store.write(GraphBatch(organisations=[replace(s1, name="Seen")]))
    assert store.changes_since(before) is not None  # read outside a request: kept
    read_scope.begin(read_only=True)
    try:
        seen = read_scope.version(store)
        Neo4jStore(store.driver).write(GraphBatch(organisations=[replace(s1, name="Later")]))
        queries: list[str] = []
        read = store._read
        store._read = lambda query, params: queries.append(query) or read(query, params)  # type: ignore[method-assign]
        assert [c.version for c in store.changes_since(before)] == [seen]
        assert queries == []
        later = store.changes_since(seen)
        assert later is not None
        assert [o.name for c in later for o in c.batch.organisations] == ["Later"]
        assert len(queries) == 1
    finally:
        read_scope.end()
