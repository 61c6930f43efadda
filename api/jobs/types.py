"""GraphQL type of a cascade job."""

from __future__ import annotations

from typing import Any

import strawberry


@strawberry.type(description="A cascade job: the member's coverage and audit status recomputed.")
class Job:
    id: strawberry.ID
    state: str = strawberry.field(description="queued, running, done or failed")
    phase: str = strawberry.field(description="walk, evaluate or done")
    steps_done: int
    tier: int = strawberry.field(description="the deepest tier walked so far")
    nodes: int = strawberry.field(description="nodes found so far")
    requirements: list[strawberry.ID]
    as_of: str = strawberry.field(description="the audit day (ISO)")
    created_at: str
    updated_at: str
    error: str | None

    @classmethod
    def of(cls, meta: dict[str, Any]) -> Job:
        return cls(
            id=strawberry.ID(meta["id"]),
            state=meta["state"],
            phase=meta["phase"],
            steps_done=meta["steps_done"],
            tier=meta["tier"],
            nodes=meta["nodes"],
            requirements=[strawberry.ID(r) for r in meta["requirements"]],
            as_of=meta["as_of"],
            created_at=meta["created_at"],
            updated_at=meta["updated_at"],
            error=meta.get("error"),
        )
