"""A store without a single audit: every node of the network is a NO_AUDIT gap
(the gap's audit column once indexed an empty array)."""

from __future__ import annotations

from datetime import date

from cascade.service import live_audit_status
from graph.model import GraphBatch
from graph.sqlite_store import SqliteStore
from tests.factories import chain, org


def test_audit_gaps_without_any_audit_in_the_store(tmp_path):
    store = SqliteStore(tmp_path)
    try:
        store.write(
            GraphBatch(
                organisations=[org("M1", "member"), org("A"), org("B", "smallholder")],
                sourcing=chain("M1", "A", "B"),
            )
        )
        status = live_audit_status(store, "M1", date(2026, 6, 30), include_smallholders=True)
        assert [(g.node, g.reason.value, g.audit) for g in status.gaps] == [
            ("A", "NO_AUDIT", None),
            ("B", "NO_AUDIT", None),
        ]
    finally:
        store.close()
