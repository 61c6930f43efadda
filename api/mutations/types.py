"""GraphQL inputs and answers of the API's writes (mutations/)."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry

from graph.model import FindingStatus, Kind, Severity


@strawberry.type(description="The write an answer came from: kept with who made it and when.")
class MutationInfo:
    id: strawberry.ID
    at: str = strawberry.field(description="When it was written (ISO 8601, UTC).")


def written(response: dict[str, Any]) -> dict[str, Any]:
    """The fields every mutation's answer carries."""
    kept = response.get("mutation")
    return {
        "mutation": MutationInfo(id=strawberry.ID(kept["id"]), at=kept["at"]) if kept else None,
        "replayed": bool(response.get("replayed")),
    }


MUTATION_DOC = "The write (null when nothing was written)."
REPLAYED_DOC = "True when this idempotencyKey was sent before: the first answer, nothing written."


@strawberry.input(description="A sub-supplier as its buyer knows it; identifiers are checked.")
class NewSupplier:
    name: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2, e.g. ID, GH, DE.")
    kind: Kind = Kind.SUPPLIER
    abbreviation: str | None = None
    lat: float | None = strawberry.field(default=None, description="WGS84; with lon.")
    lon: float | None = None
    lei: str | None = strawberry.field(default=None, description="ISO 17442, check digits.")
    duns: str | None = strawberry.field(default=None, description="9 digits.")
    gln: str | None = strawberry.field(default=None, description="13 digits, GS1 check digit.")
    os_id: str | None = strawberry.field(default=None, description="Open Supply Hub's OS ID.")
    uml_id: str | None = strawberry.field(
        default=None, description="Universal Mill List id: PO and 10 digits."
    )

    def row(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "country": self.country,
            "kind": self.kind.value,
            "abbreviation": self.abbreviation,
            "lat": self.lat,
            "lon": self.lon,
            "lei": self.lei,
            "duns": self.duns,
            "gln": self.gln,
            "os_id": self.os_id,
            "mill_id": self.uml_id,
        }


@strawberry.enum(description="What registerSupplier did.")
class RegistrationOutcome(Enum):
    EXISTING = "EXISTING"
    CREATED = "CREATED"
    CHOOSE = "CHOOSE"


@strawberry.type(
    description="A stored organisation that may be the one registered: what identifies it "
    "to a person, its name score (0-1) and what rules out taking it automatically."
)
class MatchCandidate:
    id: strawberry.ID
    name: str
    country: str
    abbreviation: str | None
    score: float
    conflicts: list[str]


@strawberry.type(
    description="EXISTING: the sub-supplier is a stored organisation (`organisation`), now "
    "sourced from. CREATED: a new organisation was made. CHOOSE: nothing was written; call "
    "again with useExisting (one of `candidates`) or createAnyway (a reason)."
)
class Registration:
    outcome: RegistrationOutcome
    organisation: strawberry.ID | None
    reason: str
    candidates: list[MatchCandidate]
    mutation: MutationInfo | None = strawberry.field(description=MUTATION_DOC)
    replayed: bool = strawberry.field(description=REPLAYED_DOC)

    @classmethod
    def of(cls, r: dict[str, Any]) -> Registration:
        return cls(
            outcome=RegistrationOutcome(r["outcome"]),
            organisation=strawberry.ID(r["organisation"]) if r["organisation"] else None,
            reason=r["reason"],
            candidates=[MatchCandidate(**c) for c in r["candidates"]],
            **written(r),
        )


@strawberry.type(description="The SOURCES_FROM edges removed (one per commodity).")
class SourcingRemoved:
    supplier: strawberry.ID
    removed: list[str]
    mutation: MutationInfo | None = strawberry.field(description=MUTATION_DOC)
    replayed: bool = strawberry.field(description=REPLAYED_DOC)


@strawberry.type(description="A requirement passed on (PASSED_ON) from `by` to `to`.")
class PassedOn:
    requirement: strawberry.ID
    by: strawberry.ID
    to: strawberry.ID
    mutation: MutationInfo | None = strawberry.field(description=MUTATION_DOC)
    replayed: bool = strawberry.field(description=REPLAYED_DOC)


@strawberry.type(description="A requirement the organisation adopted (ADOPTED).")
class Adopted:
    requirement: strawberry.ID
    organisation: strawberry.ID
    mutation: MutationInfo | None = strawberry.field(description=MUTATION_DOC)
    replayed: bool = strawberry.field(description=REPLAYED_DOC)


@strawberry.input(description="An audit of the caller's own organisation.")
class NewAudit:
    scheme: str
    audit_date: date
    valid_until: date
    rating: str | None = None
    auditor: str | None = None
    shared_with_all: bool = strawberry.field(
        default=False, description="Visible to every customer from the start."
    )

    def row(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "audit_date": self.audit_date,
            "valid_until": self.valid_until,
            "rating": self.rating,
            "auditor": self.auditor,
            "shared_with_all": self.shared_with_all,
        }


@strawberry.input(description="A finding of the audit uploaded.")
class NewFinding:
    severity: Severity
    status: FindingStatus = FindingStatus.OPEN
    category: str | None = None
    due_date: date | None = None

    def row(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "status": self.status.value,
            "category": self.category,
            "due_date": self.due_date,
        }


@strawberry.type(description="The audit uploaded and its findings' ids.")
class AuditUploaded:
    audit: strawberry.ID
    findings: list[strawberry.ID]
    mutation: MutationInfo | None = strawberry.field(description=MUTATION_DOC)
    replayed: bool = strawberry.field(description=REPLAYED_DOC)


@strawberry.type(
    description="Who the audit is shared with now (the member that commissioned it always "
    "sees it besides)."
)
class AuditSharing:
    audit: strawberry.ID
    shared_with: list[strawberry.ID]
    all_customers: bool
    mutation: MutationInfo | None = strawberry.field(description=MUTATION_DOC)
    replayed: bool = strawberry.field(description=REPLAYED_DOC)


@strawberry.type(description="The schemes the member recognises now.")
class Recognitions:
    member: strawberry.ID
    recognised: list[str]
    mutation: MutationInfo | None = strawberry.field(description=MUTATION_DOC)
    replayed: bool = strawberry.field(description=REPLAYED_DOC)


@strawberry.type(description="A requirement the member requires, as it stands now.")
class Required:
    requirement: strawberry.ID
    title: str
    version: str
    frameworks: list[str]
    member: strawberry.ID
    mutation: MutationInfo | None = strawberry.field(description=MUTATION_DOC)
    replayed: bool = strawberry.field(description=REPLAYED_DOC)


def shaped(cls: type, response: dict[str, Any], **renamed: str) -> Any:
    """An answer type from a service's response: its own fields (renamed where the
    response's key differs) plus mutation and replayed."""
    fields = {
        name: response[renamed.get(name, name)]
        for name in cls.__annotations__
        if name not in ("mutation", "replayed")
    }
    return cls(**fields, **written(response))


__all__ = ["FindingStatus", "Kind", "Severity"]
