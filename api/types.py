"""GraphQL output types: plain shapes, built from what the store port returns."""

from __future__ import annotations

import strawberry

from graph.store import COUNT_KEYS


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
