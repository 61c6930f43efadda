"""GraphQL output types: plain shapes, built from what the store port returns."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types.scalar import ScalarDefinition

from graph.store import COUNT_KEYS
from loaders.rows import day


@strawberry.type(description="What the store holds: nodes by kind, relationships by type.")
class Stats:
    members: int
    suppliers: int
    smallholders: int
    requirements: int
    audits: int
    findings: int
    requires: int = strawberry.field(description="REQUIRES edges (member to requirement)")
    sourcing: int = strawberry.field(description="SOURCES_FROM edges")
    pass_on: int = strawberry.field(description="PASSED_ON edges")
    adoptions: int = strawberry.field(description="ADOPTED edges")
    shares: int = strawberry.field(description="SHARED_WITH edges")
    recognitions: int = strawberry.field(description="RECOGNISES edges (member to scheme)")

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> Stats:
        return cls(**{key: counts[key] for key in COUNT_KEYS})


def parse_day(value: object) -> date:
    """A `Date` argument: YYYY-MM-DD only (docs/api.md, "Errors"); strawberry's parser,
    `date.fromisoformat`, also takes `20260101` and `2026-W01-1`."""
    if type(value) is not str or value != value.strip():  # rows are stripped; no argument
        raise ValueError(f"Date cannot represent {value!r}: a day is YYYY-MM-DD")
    return day(value)


# strawberry's own Date with a stricter parser (api.schema's scalar_overrides)
Day = ScalarDefinition(
    name="Date",
    description="Date (isoformat)",
    specified_by_url=None,
    serialize=date.isoformat,
    parse_value=parse_day,
    parse_literal=None,
    origin=date,
)
