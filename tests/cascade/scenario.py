"""One small network with every case DOMAIN.md names, and what it must give.

    M1 -> A -> C -> D -> E -> D (cycle), D -> F (smallholder)
    M1 -> B -> C (diamond: C reached by two chains, only A's is covered)
    M1 -> M2 -> G, M2 -> B (a member that supplies a member); B -> M1 (back to the root)
R1 (required by M1): M1 passes to A and B and M2? no: to A and B; A adopts, B
does not; A passes to C, C adopts; C never passes to D; E adopts on its own.
Audits are checked on DAY, some on their boundary days.
"""

from __future__ import annotations

from datetime import date, timedelta

from graph.model import (
    Adoption,
    Audit,
    Finding,
    FindingStatus,
    GraphBatch,
    PassOn,
    Recognition,
    Requirement,
    Requires,
    Severity,
    Share,
)
from tests.factories import chain, org

DAY = date(2026, 6, 30)
YEAR_AGO = DAY - timedelta(days=365)


def audit(
    audit_id,
    node,
    scheme="SMETA",
    start=YEAR_AGO,
    until=DAY + timedelta(days=30),
    by="M1",
    to_all=False,
):
    return Audit(audit_id, node, scheme, start, until, by, None, None, to_all)


def scenario() -> GraphBatch:
    return GraphBatch(
        organisations=[
            org("M1", "member"),
            org("M2", "member"),
            org("A"),
            org("B"),
            org("C"),
            org("D"),
            org("E"),
            org("G"),
            org("F", "smallholder"),
        ],
        requirements=[Requirement("R1", "Supplier code"), Requirement("R2", "Other code")],
        requires=[Requires("M1", "R1"), Requires("M2", "R2")],
        sourcing=[
            *chain("M1", "A", "C", "D", "E", "D"),
            *chain("D", "F"),
            *chain("M1", "B", "C"),
            *chain("M1", "M2", "G"),
            *chain("M2", "B"),
            *chain("B", "M1"),
            *chain("A", "C", commodity="coffee"),
        ],
        pass_on=[PassOn("M1", "A", "R1"), PassOn("M1", "B", "R1"), PassOn("A", "C", "R1")],
        adoptions=[
            Adoption("A", "R1"),
            Adoption("C", "R1"),
            Adoption("E", "R1"),
            Adoption("B", "R2"),
        ],
        audits=[
            audit("a1", "A", until=DAY),  # valid up to and including DAY
            audit("b1", "B", start=DAY, by="M2", to_all=True),  # valid from DAY, someone else's
            audit("c1", "C", until=DAY - timedelta(days=1)),  # expired the day before
            audit("c2", "C", scheme="SA8000"),  # valid, but M1 does not recognise SA8000
            audit("d1", "D", by="M2"),  # valid and recognised, not shared with M1
            audit("e1", "E"),  # open critical finding
            audit("g1", "G", scheme="amfori BSCI", by="M2"),  # shared with M1, overdue finding
        ],
        findings=[
            Finding("fa", "a1", Severity.CRITICAL, FindingStatus.CLOSED, "wages", DAY),
            Finding("fa2", "a1", Severity.MINOR, FindingStatus.OPEN, "fire exits", DAY),
            Finding("fe", "e1", Severity.CRITICAL, FindingStatus.OPEN, "child labour", None),
            Finding(
                "fg", "g1", Severity.MAJOR, FindingStatus.OPEN, "hours", DAY - timedelta(days=1)
            ),
        ],
        shares=[Share("g1", "M1")],
        recognitions=[
            Recognition("M1", "SMETA"),
            Recognition("M1", "amfori BSCI"),
            Recognition("M2", "SMETA"),
            Recognition("M2", "amfori BSCI"),
        ],
    )
