"""The bulk reads exports make a chunk at a time, on every store: names and
countries of the known ids among those asked, and every SOURCES_FROM edge (one
per commodity) out of the known buyers among those asked."""

from __future__ import annotations

from graph.model import Sourcing
from tests.views.forum import forum


def test_label_columns_and_sourcing_of(store):
    batch = forum()
    batch.sourcing = [*batch.sourcing, Sourcing("S1", "S2", "coffee")]
    store.write(batch)
    ids, names, countries = store.label_columns(["S2", "M1", "nobody", "S2"])
    assert sorted(zip(ids, names, countries, strict=True)) == [
        ("M1", "M1 Ltd", "NL"),
        ("S2", "S2 Ltd", "CI"),
    ]
    buyers, sellers, commodities = store.sourcing_of(["S1", "M1", "nobody", "F1"])
    assert sorted(zip(buyers, sellers, commodities, strict=True)) == [
        ("M1", "S1", "cocoa"),
        ("M1", "S3", "palm oil"),
        ("S1", "S2", "cocoa"),
        ("S1", "S2", "coffee"),
        ("S1", "S4", "cocoa"),
    ]
    assert store.label_columns([]) == ([], [], []) and store.sourcing_of([]) == ([], [], [])
