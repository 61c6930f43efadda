"""`stored_rows`, on every store: the stored rows of a kind whose owner (an id, an
edge's start) is among those asked, exactly as `export` gives them; what a load
compares its rows with to tell which it would not change."""

from __future__ import annotations

from graph.model import BATCH_FIELDS
from graph.store import ROW_OWNER
from loaders.generate import generate


def test_stored_rows_are_the_exports_rows_of_the_owners_asked(store):
    store.write(generate(nodes=400, members=2, seed=7))
    exported = store.export()
    for kind in BATCH_FIELDS:
        rows = getattr(exported, kind)
        assert rows, kind  # the generated network has rows of every kind
        owners = sorted({getattr(r, ROW_OWNER[kind]) for r in rows})[::3] + ["nobody"]
        naive = {r for r in rows if getattr(r, ROW_OWNER[kind]) in owners}
        found = store.stored_rows(kind, owners)
        assert len(found) == len(naive) and set(found) == naive, kind
        assert store.stored_rows(kind, []) == []
