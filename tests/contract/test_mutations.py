"""The API's writes on every store: apply() lands whole or not at all, once per
idempotency key, and keeps its record, its match verdicts and one change; and
what a supplier reads of its own part of the graph."""

from __future__ import annotations

import itertools
import threading
from datetime import date

import pytest

from graph.model import (
    Adoption,
    Audit,
    GraphBatch,
    PassOn,
    Recognition,
    Requirement,
    Share,
    Sourcing,
)
from graph.store import (
    MatchVerdict,
    Mutation,
    MutationRecord,
    Removals,
    UnknownReference,
)
from tests.factories import org, small_network

_SEQ = itertools.count()


def record(
    organisation: str | None = "S1",
    role: str = "supplier",
    key: str | None = None,
    response: dict | None = None,
) -> MutationRecord:
    """A new record, each one later than the one before."""
    n = next(_SEQ)
    return MutationRecord(
        id=f"mut-{n:04}",
        operation="registerSupplier",
        organisation=organisation,
        role=role,
        key_id="key-1",
        at=f"2026-05-01T10:{n // 60 % 60:02}:{n % 60:02}.000000Z",
        idempotency_key=key,
        request="0" * 64,
        response={"n": n} if response is None else response,
    )


def new_supplier(seller: str, buyer: str = "S1") -> GraphBatch:
    return GraphBatch(
        organisations=[org(seller)],
        sourcing=[Sourcing(buyer, seller, "cocoa", date(2026, 5, 1), buyer)],
    )


def verdict(stored_id: str, same: bool, abbreviation: str | None = None) -> MatchVerdict:
    return MatchVerdict("GH", "acme cocoa", abbreviation, stored_id, same)


# ---- apply ----------------------------------------------------------------------
def test_apply_writes_the_batch_its_record_and_one_change(store):
    store.write(small_network())
    before = store.graph_version()
    mine = record(response={"supplier": {"id": "S9", "names": ["Açaí Coop", None]}})

    assert store.apply(Mutation(mine, new_supplier("S9"))) == mine

    assert Sourcing("S1", "S9", "cocoa", date(2026, 5, 1), "S1") in store.export().sourcing
    (change,) = store.changes_since(before)
    assert change.version == store.graph_version() != before
    assert change.batch == new_supplier("S9")
    assert change.unlinked == () and change.unshared == ()
    assert store.mutation_records("S1") == [mine]  # the response as it was sent
    assert store.counts()["suppliers"] == 4


def test_an_unknown_reference_writes_nothing_at_all(store):
    store.write(small_network())
    before, graph = store.graph_version(), store.export()
    bad = Mutation(
        record(key="k1"),
        GraphBatch(organisations=[org("S9")], sourcing=[Sourcing("S1", "NOBODY", "cocoa")]),
        Removals(sourcing=(("S1", "S2", None),), shares=(Share("A1", "M2"),)),
        (verdict("S3", True),),
    )

    with pytest.raises(UnknownReference) as refused:
        store.apply(bad)

    assert refused.value.ids == ["NOBODY"]
    assert store.export() == graph and store.graph_version() == before
    assert store.mutation_record("S1", "supplier", "k1") is None
    assert store.mutation_records("S1") == []
    assert store.match_verdicts("GH", "acme cocoa", None) == {}


def test_a_replayed_key_answers_with_the_first_record_and_writes_nothing(store):
    store.write(small_network())
    first = record(key="k1", response={"ok": 1})
    assert store.apply(Mutation(first, new_supplier("S9"))) == first
    version = store.graph_version()

    again = record(key="k1", response={"ok": 2})
    assert (
        store.apply(Mutation(again, new_supplier("S10"), verdicts=(verdict("S3", True),))) == first
    )

    assert store.graph_version() == version
    assert "S10" not in store.kinds(["S10"])
    assert store.match_verdicts("GH", "acme cocoa", None) == {}
    assert store.mutation_record("S1", "supplier", "k1") == first
    assert store.mutation_records("S1") == [first]


def test_one_key_under_another_organisation_or_role_is_another_mutation(store):
    store.write(small_network())
    made = [
        record("S1", "supplier", "k"),
        record("S2", "supplier", "k"),
        record("M1", "sourcing", "k"),
        record("M1", "analyst", "k"),
        record(None, "operator", "k"),
    ]
    for r in made:
        assert store.apply(Mutation(r)) == r
    for r in made:
        assert store.mutation_record(r.organisation, r.role, "k") == r
    assert store.mutation_record("S3", "supplier", "k") is None
    assert store.mutation_record(None, "operator", "other") is None
    # Without a key every mutation is its own.
    loose = [record("S1"), record("S1")]
    for r in loose:
        assert store.apply(Mutation(r)) == r
    assert store.mutation_records("M1") == [made[3], made[2]]
    assert store.mutation_records("S1") == [loose[1], loose[0], made[0]]


def test_concurrent_applies_with_one_key_write_once(store):
    store.write(small_network())
    before = store.graph_version()
    tries = [record(key="race") for _ in range(4)]
    gate = threading.Barrier(len(tries))
    answers: dict[int, MutationRecord | BaseException] = {}

    def go(i: int) -> None:
        gate.wait()
        try:
            answers[i] = store.apply(Mutation(tries[i], new_supplier(f"R{i}")))
        except BaseException as exc:  # noqa: BLE001 - reported by the asserts below
            answers[i] = exc

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(tries))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    kept = store.mutation_record("S1", "supplier", "race")
    assert kept in tries
    assert [answers[i] for i in range(len(tries))] == [kept] * len(tries)
    winner = tries.index(kept)
    assert set(store.kinds([f"R{i}" for i in range(len(tries))])) == {f"R{winner}"}
    assert len(store.changes_since(before)) == 1
    assert store.mutation_records("S1") == [kept]


def test_a_mutation_that_changes_nothing_keeps_its_record(store):
    store.write(small_network())
    graph = store.export()
    mine = record(key="k")
    assert store.apply(Mutation(mine)) == mine
    assert store.mutation_record("S1", "supplier", "k") == mine
    assert store.export() == graph


# ---- removals -------------------------------------------------------------------
def test_removals_take_edges_shares_and_recognitions_away(store):
    store.write(small_network())
    store.write(GraphBatch(sourcing=[Sourcing("M1", "S3", "cocoa")]))  # S3: two commodities
    before = store.graph_version()
    removals = Removals(
        sourcing=(("M1", "S1", None), ("M1", "S3", "palm oil")),
        shares=(Share("A1", "M2"),),
        recognitions=(Recognition("M1", "SMETA"),),
    )

    store.apply(Mutation(record(), removals=removals))

    graph = store.export()
    assert [(e.buyer, e.seller, e.commodity) for e in graph.sourcing if e.buyer == "M1"] == [
        ("M1", "S3", "cocoa")
    ]
    assert graph.shares == [] and store.recognised_schemes("M1") == set()
    (change,) = store.changes_since(before)
    assert change.unlinked == (("M1", "S1"),)  # M1 still sources cocoa from S3
    assert change.unshared == (("A1", "M2"),)
    assert len(change.batch) == 0


def test_removing_what_is_not_there_is_no_error(store):
    store.write(small_network())
    graph = store.export()
    removals = Removals(
        sourcing=(("S1", "S3", None), ("M1", "S1", "coffee"), ("NOBODY", "S1", None)),
        shares=(Share("A1", "M1"), Share("NOPE", "M2")),
        recognitions=(Recognition("M1", "RBA"), Recognition("NOBODY", "SMETA")),
    )
    before = store.graph_version()
    store.apply(Mutation(record(), removals=removals))
    assert store.export() == graph
    changes = store.changes_since(before)
    assert all(c.unlinked == () and c.unshared == () for c in changes)


def test_what_the_batch_gives_back_is_neither_unlinked_nor_unshared(store):
    store.write(small_network())
    before = store.graph_version()
    removals = Removals(sourcing=(("M1", "S1", None),), shares=(Share("A1", "M2"),))
    batch = GraphBatch(sourcing=[Sourcing("M1", "S1", "coffee")], shares=[Share("A1", "M2")])

    store.apply(Mutation(record(), batch, removals))

    graph = store.export()
    assert [e.commodity for e in graph.sourcing if (e.buyer, e.seller) == ("M1", "S1")] == [
        "coffee"
    ]
    assert graph.shares == [Share("A1", "M2")]
    (change,) = store.changes_since(before)
    assert change.unlinked == () and change.unshared == ()


def test_an_audit_shared_with_everyone_by_apply_comes_in_its_change(store):
    store.write(small_network())
    before = store.graph_version()
    (a1,) = store.audits(["A1"])
    flipped = Audit(**{**{f: getattr(a1, f) for f in a1.__slots__}, "shared_with_all": True})
    store.apply(Mutation(record(), GraphBatch(audits=[flipped])))
    assert store.audits(["A1"]) == [flipped]
    (change,) = store.changes_since(before)
    assert change.batch.audits == [flipped]


# ---- match verdicts ---------------------------------------------------------------
def test_verdicts_are_kept_and_a_later_choice_replaces_the_earlier(store):
    store.write(small_network())

    def choose(*verdicts: MatchVerdict) -> dict[str, bool]:
        store.apply(Mutation(record(), verdicts=verdicts))
        return store.match_verdicts("GH", "acme cocoa", None)

    assert choose(verdict("S1", False)) == {"S1": False}
    assert choose(verdict("S1", True)) == {"S1": True}
    assert choose(verdict("S2", False)) == {"S1": True, "S2": False}
    # Confirming another stored one: an organisation is the same as at most one.
    assert choose(verdict("S3", True)) == {"S2": False, "S3": True}
    assert choose(verdict("S1", True), verdict("S2", True)) == {"S2": True}
    # Another abbreviation, country or name is another key.
    choose(verdict("S1", True, "ACC"))
    assert store.match_verdicts("GH", "acme cocoa", "ACC") == {"S1": True}
    assert store.match_verdicts("GH", "acme cocoa", None) == {"S2": True}
    assert store.match_verdicts("CI", "acme cocoa", None) == {}
    assert store.match_verdicts("GH", "acme", None) == {}


# ---- records --------------------------------------------------------------------
def test_records_are_listed_newest_first_per_organisation(store):
    store.write(small_network())
    mine = [record("S1") for _ in range(3)]
    theirs = record("S2")
    for r in [mine[0], theirs, mine[2], mine[1]]:  # kept out of order
        store.apply(Mutation(r))
    assert store.mutation_records("S1") == [mine[2], mine[1], mine[0]]
    assert store.mutation_records("S1", limit=2) == [mine[2], mine[1]]
    assert store.mutation_records("S2") == [theirs]
    assert store.mutation_records("NOBODY") == []


def test_clear_takes_records_and_verdicts_too_and_counts_never_see_them(store):
    store.write(small_network())
    counts = store.counts()
    store.apply(Mutation(record(key="k"), verdicts=(verdict("S1", True),)))
    assert store.counts() == counts
    store.clear()
    assert store.mutation_record("S1", "supplier", "k") is None
    assert store.mutation_records("S1") == []
    assert store.match_verdicts("GH", "acme cocoa", None) == {}


# ---- a supplier's own part of the graph ----------------------------------------------
def test_a_suppliers_edges_passes_adoptions_audits_and_shares(store):
    store.write(small_network())
    a2 = Audit("A0", "S1", "RBA", date(2026, 2, 1), date(2027, 1, 31), "S1", None, None, True)
    store.write(
        GraphBatch(
            requirements=[Requirement("R0", "Older code")],
            sourcing=[
                Sourcing("S2", "S3", "coffee", date(2025, 1, 1), "S2"),
                Sourcing("S1", "S3", "cocoa"),
            ],
            pass_on=[PassOn("M1", "S1", "R0"), PassOn("S1", "S2", "R1"), PassOn("S3", "S1", "R1")],
            adoptions=[Adoption("S1", "R0", None, None)],
            audits=[a2],
            shares=[Share("A1", "M1"), Share("A0", "M2")],
        )
    )

    assert store.sellers_of("S2") == [
        Sourcing("S2", "F1", "cocoa"),
        Sourcing("S2", "S3", "cocoa"),
        Sourcing("S2", "S3", "coffee", date(2025, 1, 1), "S2"),
    ]
    assert store.buyers_of("S3") == [
        Sourcing("M1", "S3", "palm oil", date(2024, 1, 1)),
        Sourcing("S1", "S3", "cocoa"),
        Sourcing("S2", "S3", "cocoa"),
        Sourcing("S2", "S3", "coffee", date(2025, 1, 1), "S2"),
    ]
    assert store.passed_to("S1") == [
        PassOn("M1", "S1", "R0"),
        PassOn("M1", "S1", "R1", date(2025, 3, 1)),
        PassOn("S3", "S1", "R1"),
    ]
    assert store.passed_by("S1") == [PassOn("S1", "S2", "R1")]
    assert store.adoptions_of("S1") == [
        Adoption("S1", "R0"),
        Adoption("S1", "R1", date(2025, 3, 2), "signed code"),
    ]
    assert [a.id for a in store.audits_of("S1")] == ["A0", "A1"]
    assert store.audits_of("S1")[0] == a2
    assert store.shares_of(["A1", "A0", "A1", "NOPE"]) == {"A0": ["M2"], "A1": ["M1", "M2"]}


def test_unknown_ids_read_as_nothing(store):
    store.write(small_network())
    assert store.sellers_of("NOBODY") == [] and store.buyers_of("NOBODY") == []
    assert store.passed_to("NOBODY") == [] and store.passed_by("NOBODY") == []
    assert store.adoptions_of("NOBODY") == [] and store.audits_of("NOBODY") == []
    assert store.shares_of(["NOPE"]) == {} and store.shares_of([]) == {}
    assert store.sellers_of("F1") == []  # a smallholder sells to others, buys from nobody
    assert store.audits_of("S2") == []
