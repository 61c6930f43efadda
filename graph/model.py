"""The supply-chain graph of DOMAIN.md as plain values.

No driver, web or queue library is imported here: adapters depend on this
module, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    MEMBER = "member"
    SUPPLIER = "supplier"
    SMALLHOLDER = "smallholder"

    @property
    def label(self) -> str:
        """The Neo4j kind label (allow-listed: labels cannot be parameters)."""
        return self.value.capitalize()


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


class FindingStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


IDENTIFIER_FIELDS = ("lei", "duns", "gln", "os_id", "mill_id")


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    kind: Kind
    name: str
    country: str
    lei: str | None = None
    duns: str | None = None
    gln: str | None = None
    os_id: str | None = None
    mill_id: str | None = None  # the Universal Mill List's id (UML, "PO" and 10 digits)
    abbreviation: str | None = None  # cooperatives and companies are often known by one
    lat: float | None = None  # WGS84, both or neither
    lon: float | None = None
    listed: bool = False  # consents to be on the forum's joint audited supplier list


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    title: str
    version: str = "1"
    frameworks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Requires:
    member: str
    requirement: str


@dataclass(frozen=True, slots=True)
class Sourcing:
    """(buyer)-[:SOURCES_FROM]->(seller); one edge per (buyer, seller, commodity)."""

    buyer: str
    seller: str
    commodity: str
    since: date | None = None
    registered_by: str | None = None


@dataclass(frozen=True, slots=True)
class PassOn:
    buyer: str
    seller: str
    requirement: str
    at: date | None = None


@dataclass(frozen=True, slots=True)
class Adoption:
    organisation: str
    requirement: str
    at: date | None = None
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class Audit:
    id: str
    organisation: str  # the site the audit covers
    scheme: str
    audit_date: date
    valid_until: date
    commissioned_by: str
    rating: str | None = None
    auditor: str | None = None
    shared_with_all: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    audit: str
    severity: Severity
    status: FindingStatus
    category: str | None = None
    due_date: date | None = None


@dataclass(frozen=True, slots=True)
class Share:
    audit: str
    member: str


@dataclass(frozen=True, slots=True)
class Recognition:
    member: str
    scheme: str


@dataclass(slots=True)
class GraphBatch:
    """Everything one load or one mutation writes, in one transaction."""

    organisations: list[Organisation] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    requires: list[Requires] = field(default_factory=list)
    sourcing: list[Sourcing] = field(default_factory=list)
    pass_on: list[PassOn] = field(default_factory=list)
    adoptions: list[Adoption] = field(default_factory=list)
    audits: list[Audit] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    shares: list[Share] = field(default_factory=list)
    recognitions: list[Recognition] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(getattr(self, name)) for name in BATCH_FIELDS)

    def extend(self, other: GraphBatch) -> None:
        for name in BATCH_FIELDS:
            getattr(self, name).extend(getattr(other, name))


# Write order: nodes before the edges that reference them.
BATCH_FIELDS = (
    "organisations",
    "requirements",
    "requires",
    "sourcing",
    "pass_on",
    "adoptions",
    "audits",
    "findings",
    "shares",
    "recognitions",
)


# ---- corrective actions (DOMAIN.md): one plan per finding, kept beside the graph
class ActionStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    COMPLETED = "completed"
    VERIFIED = "verified"


class StepKind(StrEnum):
    """What one step of a plan's history did."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    COMPLETED = "completed"
    VERIFIED = "verified"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_GRANTED = "extension_granted"
    EXTENSION_REFUSED = "extension_refused"


@dataclass(frozen=True, slots=True)
class ActionStep:
    """Who did what and when; `(at, kind)` is unique within a plan."""

    at: str  # ISO 8601 time, UTC
    kind: StepKind
    by: str | None  # the organisation that acted (None: an operator)
    role: str  # access.principal.Role value ("operator", "sourcing", "supplier", "load")
    note: str | None = None  # the description, reason or evidence given
    due_date: date | None = None  # the due day asked for (or granted)


@dataclass(frozen=True, slots=True)
class CorrectiveAction:
    """The plan of one finding, owned by the audited organisation. Written with the
    steps it adds; read with its whole history, oldest first."""

    finding: str
    description: str
    target_date: date
    status: ActionStatus
    evidence: str | None = None
    reason: str | None = None  # why it was last sent back
    extension: date | None = None  # a due day asked for and not answered yet
    history: tuple[ActionStep, ...] = ()
