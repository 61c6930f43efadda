"""GraphQL type of a job: a cascade recomputation or an export."""

from __future__ import annotations

from typing import Any

import strawberry


@strawberry.type(
    description="A job of the member: a cascade (coverage and audit status recomputed) "
    "or an export (its file downloaded from `download` once done)."
)
class Job:
    id: strawberry.ID
    kind: str = strawberry.field(description="cascade or export")
    state: str = strawberry.field(
        description="queued, running, done or failed; an export also expired (done, its file "
        "past its time to live: start a new one)"
    )
    phase: str = strawberry.field(
        description="cascade: walk, evaluate or done; export: queued, prepare, nodes, edges, "
        "done, or retry (queued again: its worker stopped mid-export, `error` says when)"
    )
    steps_done: int
    tier: int = strawberry.field(description="the deepest tier walked so far")
    nodes: int = strawberry.field(description="nodes found (cascade) or written (export) so far")
    requirements: list[strawberry.ID]
    as_of: str = strawberry.field(description="the audit day (ISO)")
    created_at: str
    updated_at: str
    error: str | None
    format: str | None = strawberry.field(
        default=None, description="export: csv, jsonl or graphml (null for a cascade)"
    )
    rows_done: int | None = strawberry.field(
        default=None, description="export: node and edge rows written so far"
    )
    rows_total: int | None = strawberry.field(
        default=None, description="export: node and edge rows in all (null until known)"
    )
    expires_at: str | None = strawberry.field(
        default=None, description="export: when its file stops being served (ISO, UTC)"
    )
    download: str | None = strawberry.field(
        default=None,
        description="export: the path to GET its file from, with the same Authorization "
        "header, once done and until it expires (null otherwise)",
    )

    @classmethod
    def of(cls, meta: dict[str, Any]) -> Job:
        live = meta.get("kind") == "export" and meta["state"] == "done"  # not expired
        return cls(
            id=strawberry.ID(meta["id"]),
            kind=meta.get("kind", "cascade"),
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
            format=meta.get("format"),
            rows_done=meta.get("rows_done"),
            rows_total=meta.get("rows_total"),
            expires_at=meta.get("expires_at"),
            download=f"/exports/{meta['id']}" if live else None,
        )
