"""A small forum where two members share one supplier, and the principals that
ask about it (DOMAIN.md, "Who may do what").

    M1 -> S1 -> S2 -> F1 (smallholder)      M2 -> S4 (M2 also buys from M1's S4)
    M1 -> S3 ; S2 <-> S3 (traders)          M2 -> S9 (outside M1's network)
    S1 -> S4

M1 requires R1: passed to S1 (adopted), S1 passed it to S2 (not adopted), never
passed to S3 (which adopted it anyway: an orphan). M2 requires R2.
Audits on AS_OF, all SMETA (both members recognise it), valid through 2026:
A1 on S1 by M1 (clean); A2 on S2 by M1 with an open critical finding; A3 on S3 by
M2, shared with M1 (covers S3 for M1: a saving); A4 on S4 by M2, not shared
(NOT_SHARED for M1: its rating, auditor, findings and commissioner stay hidden);
A9 on S9 by M2.
"""

from __future__ import annotations

from datetime import date

from access.principal import Principal, Role
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
    Sourcing,
)
from tests.factories import chain, org

AS_OF = date(2026, 3, 1)
FROM, UNTIL = date(2026, 1, 10), date(2026, 12, 31)


def forum() -> GraphBatch:
    return GraphBatch(
        organisations=[
            org("M1", "member", "NL"),
            org("M2", "member", "US"),
            org("S1", country="GH", lei="L1"),
            org("S2", country="CI"),
            org("S3", country="GH"),
            org("S4", country="CI"),
            org("S9", country="BR"),
            org("F1", "smallholder", "GH"),
        ],
        requirements=[
            Requirement("R1", "Supplier code", "2", ("UNGC",)),
            Requirement("R2", "Palm"),
        ],
        requires=[Requires("M1", "R1"), Requires("M2", "R2")],
        sourcing=[
            *chain("M1", "S1", "S2", "F1"),
            Sourcing("M1", "S3", "palm oil"),
            *chain("S2", "S3"),
            *chain("S3", "S2"),
            *chain("S1", "S4"),
            *chain("M2", "S4"),
            *chain("M2", "S9"),
        ],
        pass_on=[PassOn("M1", "S1", "R1"), PassOn("S1", "S2", "R1"), PassOn("M2", "S4", "R2")],
        adoptions=[Adoption("S1", "R1"), Adoption("S3", "R1"), Adoption("S4", "R2")],
        audits=[
            Audit("A1", "S1", "SMETA", FROM, UNTIL, "M1", "A", "Bureau One"),
            Audit("A2", "S2", "SMETA", FROM, UNTIL, "M1", "C", "Bureau One"),
            Audit("A3", "S3", "SMETA", FROM, UNTIL, "M2", "B", "Bureau Two"),
            Audit("A4", "S4", "SMETA", FROM, UNTIL, "M2", "D", "Secret Bureau"),
            Audit("A9", "S9", "SMETA", FROM, UNTIL, "M2", "A", "Bureau Two"),
        ],
        findings=[
            Finding("F-2", "A2", Severity.CRITICAL, FindingStatus.OPEN, "safety"),
            Finding("F-4", "A4", Severity.MINOR, FindingStatus.OPEN, "hidden wages"),
        ],
        shares=[Share("A3", "M1")],
        recognitions=[Recognition("M1", "SMETA"), Recognition("M2", "SMETA")],
    )


SOURCING = Principal(Role.SOURCING, "M1", "k-sourcing")
ANALYST = Principal(Role.ANALYST, "M1", "k-analyst")
OTHER_MEMBER = Principal(Role.SOURCING, "M2", "k-other")
SUPPLIER_INSIDE = Principal(Role.SUPPLIER, "S1", "k-s1")
SUPPLIER_OUTSIDE = Principal(Role.SUPPLIER, "S9", "k-s9")
OPERATOR = Principal(Role.OPERATOR, None, "k-op")

PRINCIPALS = {
    "sourcing": SOURCING,
    "analyst": ANALYST,
    "other member": OTHER_MEMBER,
    "supplier inside": SUPPLIER_INSIDE,
    "supplier outside": SUPPLIER_OUTSIDE,
    "operator": OPERATOR,
}
