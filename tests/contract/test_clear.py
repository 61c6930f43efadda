"""`clear()` (what `tiergraph reset` calls), on every store adapter."""

from __future__ import annotations

from graph.store import StoredResult
from tests.factories import small_network


def test_clear_removes_the_graph_and_the_saved_results(store):
    store.write(small_network())
    result = StoredResult("r1", "coverage", "M1", "REQ-1", "2026-11-25T00:00:00Z", {"depth": 1})
    store.save_results([result])
    before = store.graph_version()

    store.clear()

    assert set(store.counts().values()) == {0}
    assert store.members() == [] and store.results("coverage", "M1", "REQ-1") == []
    assert store.graph_version() != before  # projections read before are stale
    assert store.changes_since(before) is None  # ... and must be rebuilt, not patched
    store.write(small_network())  # usable again, as new
    assert store.counts()["members"] == 2
