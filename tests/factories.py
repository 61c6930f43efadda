"""Small readable builders for test graphs."""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.model import (
    Adoption,
    Audit,
    Finding,
    FindingStatus,
    GraphBatch,
    Kind,
    Organisation,
    PassOn,
    Recognition,
    Requirement,
    Requires,
    Severity,
    Share,
    Sourcing,
)

LEI = "5493001KJTIIGC8Y1R12"  # a valid LEI (ISO 17442's check digits)


def org(org_id: str, kind: str = "supplier", country: str = "GH", **more: Any) -> Organisation:
    """An organisation named "<id> Ltd"; `more`: identifiers, abbreviation, lat, lon."""
    return Organisation(org_id, Kind(kind), f"{org_id} Ltd", country, **more)


def chain(*ids: str, commodity: str = "cocoa") -> list[Sourcing]:
    """Sourcing edges a->b->c... along the ids given."""
    return [Sourcing(a, b, commodity) for a, b in zip(ids, ids[1:], strict=False)]


def small_network() -> GraphBatch:
    """M1 -> S1 -> S2 -> F1, M1 -> S3, with a trader cycle S2 <-> S3."""
    return GraphBatch(
        organisations=[
            org("M1", "member", "NL"),
            org("M2", "member", "US"),
            org("S1", lei=LEI),
            org("S2", country="CI", abbreviation="SCAD", lat=6.8276, lon=-5.2893),
            org("S3"),
            org("F1", "smallholder", lat=6.6885, lon=-1.6244),
        ],
        requirements=[Requirement("R1", "Supplier code", "2", ("UNGC", "ILO"))],
        requires=[Requires("M1", "R1")],
        sourcing=[
            *chain("M1", "S1", "S2", "F1"),
            Sourcing("M1", "S3", "palm oil", date(2024, 1, 1)),
            *chain("S2", "S3"),
            *chain("S3", "S2"),
        ],
        pass_on=[PassOn("M1", "S1", "R1", date(2025, 3, 1))],
        adoptions=[Adoption("S1", "R1", date(2025, 3, 2), "signed code")],
        audits=[
            Audit(
                "A1",
                "S1",
                "SMETA",
                date(2026, 1, 10),
                date(2027, 1, 9),
                "M1",
                "B",
                "Bureau X",
                False,
            )
        ],
        findings=[
            Finding("F-1", "A1", Severity.MAJOR, FindingStatus.OPEN, "wages", date(2026, 6, 1))
        ],
        shares=[Share("A1", "M2")],
        recognitions=[Recognition("M1", "SMETA"), Recognition("M2", "amfori BSCI")],
    )


def reopened(store: Any) -> Any:
    """The same database opened again (as another process would)."""
    from graph.neo4j_store import Neo4jStore
    from graph.sqlite_store import SqliteStore

    if isinstance(store, SqliteStore):
        return SqliteStore(store.path.parent)
    if isinstance(store, Neo4jStore):
        return Neo4jStore(store.driver, store.database)
    raise AssertionError(f"say here how to open a {type(store).__name__} again")
