"""A plain mutation (rows to upsert only: registerSupplier's, passOn's), which
Neo4j writes as one auto-commit statement: a reference that matches nothing
leaves nothing of it, keyed or not, and the key stays free for a retry."""

from __future__ import annotations

from datetime import date

import pytest

from graph.model import GraphBatch, PassOn, Sourcing
from graph.store import Mutation, UnknownReference
from tests.contract.test_mutations import new_supplier, record
from tests.factories import org, small_network


@pytest.mark.parametrize("key", [None, "plain-1"])
def test_an_unknown_reference_in_a_plain_mutation_writes_nothing(store, key):
    store.write(small_network())
    before, graph = store.graph_version(), store.export()
    bad = Mutation(
        record(key=key),
        GraphBatch(organisations=[org("S9")], sourcing=[Sourcing("S1", "NOBODY", "cocoa")]),
    )
    with pytest.raises(UnknownReference) as refused:
        store.apply(bad)
    assert refused.value.ids == ["NOBODY"]
    assert store.export() == graph and store.graph_version() == before
    assert store.mutation_records("S1") == []
    assert store.changes_since(before) == []
    if key is not None:  # the key is free: the corrected call writes, once
        good = Mutation(record(key=key), new_supplier("S9"))
        assert store.apply(good) == good.record
        assert store.apply(Mutation(record(key=key), new_supplier("S9"))) == good.record
        (change,) = store.changes_since(before)
        assert change.batch == good.batch


def test_an_unknown_requirement_in_a_pass_on_writes_nothing(store):
    store.write(small_network())
    graph = store.export()
    bad = Mutation(record(), GraphBatch(pass_on=[PassOn("M1", "S1", "NO-REQ", date(2026, 5, 1))]))
    with pytest.raises(UnknownReference) as refused:
        store.apply(bad)
    assert refused.value.ids == ["NO-REQ"]
    assert store.export() == graph
