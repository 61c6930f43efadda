"""What is kept beside the graph (corrective actions and share requests) as rows of
the load formats (docs/formats.md): what `tiergraph generate` writes beside the
network's files, and what `tiergraph load` takes back."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from graph.model import CorrectiveAction, GraphBatch, StepKind
from graph.store import ShareRequest
from loaders.rows import COLUMNS

STEP_COLUMNS = {
    StepKind.PROPOSED: "proposed_at",
    StepKind.ACCEPTED: "accepted_at",
    StepKind.COMPLETED: "completed_at",
    StepKind.VERIFIED: "verified_at",
    StepKind.REJECTED: "rejected_at",
}
ANSWERS = {StepKind.EXTENSION_GRANTED: "granted", StepKind.EXTENSION_REFUSED: "refused"}
EXTENSION_COLUMNS = ("extension", "extension_asked_at", "extension_answer", "extension_answered_at")
KINDS = ("corrective_actions", "share_requests")


@dataclass
class Beside:
    actions: list[CorrectiveAction] = field(default_factory=list)
    requests: list[ShareRequest] = field(default_factory=list)

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """kind -> rows (JSON values: days as ISO text, no value as None)."""
        return {
            "corrective_actions": [action_row(a) for a in self.actions],
            "share_requests": [request_row(r) for r in self.requests],
        }


def generated(batch: GraphBatch, *, seed: int, today: date) -> Beside:
    """The generator's plans and requests for its network (each from its own draws)."""
    from loaders.generate_actions import corrective_actions
    from loaders.generate_requests import share_requests

    return Beside(
        corrective_actions(batch, seed=seed, today=today),
        share_requests(batch, seed=seed, today=today),
    )


def action_row(plan: CorrectiveAction) -> dict[str, Any]:
    """A plan as its row: each stage's day from its (last) step of that kind, and its
    last extension asked with its answer (a row holds one)."""
    row: dict[str, Any] = {
        "finding": plan.finding,
        "description": plan.description,
        "target_date": plan.target_date.isoformat(),
        "status": plan.status.value,
        "evidence": plan.evidence,
        "reason": plan.reason,
    }
    row |= {column: None for column in STEP_COLUMNS.values()}
    row |= dict.fromkeys(EXTENSION_COLUMNS)
    for step in plan.history:
        if step.kind in STEP_COLUMNS:
            row[STEP_COLUMNS[step.kind]] = step.at[:10]
        elif step.kind == StepKind.EXTENSION_REQUESTED and step.due_date is not None:
            row["extension"], row["extension_asked_at"] = step.due_date.isoformat(), step.at[:10]
            row["extension_answer"] = row["extension_answered_at"] = None  # asked again
        elif step.kind in ANSWERS:
            row["extension_answer"], row["extension_answered_at"] = ANSWERS[step.kind], step.at[:10]
    return row


def request_row(request: ShareRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "member": request.member,
        "audit": request.audit,
        "status": request.status.value,
        "at": request.at[:10],
        "message": request.message,
        "answered_at": request.answered_at[:10] if request.answered_at else None,
        "reason": request.reason,
    }


def write_csv(beside: Beside, out_dir: Path) -> list[Path]:
    """One `<kind>.csv` per kind that has rows; returns the files written."""
    written = []
    for kind, rows in beside.rows().items():
        if not rows:
            continue
        path = out_dir / f"{kind}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, COLUMNS[kind], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written
