"""`tiergraph load`: read every file, check every row, then write in one go."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.model import BATCH_FIELDS, GraphBatch
from graph.store import GraphStore
from loaders.read import FileProblem, Problem, RawRow, expand, read_file
from loaders.validate import check

Progress = Callable[[int, int], None]  # (rows just done, rows in all)


@dataclass
class LoadReport:
    files: list[str] = field(default_factory=list)
    rows: int = 0
    written: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    batch: GraphBatch = field(default_factory=GraphBatch)  # what was written

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """The stable `--format json` shape (docs/formats.md)."""
        return {
            "ok": self.ok,
            "files": self.files,
            "rows": self.rows,
            "written": self.written,
            "rejected": [p.as_dict() for p in self.problems],
        }


def read_and_check(
    store: GraphStore, paths: list[Path], on_read: Progress | None = None
) -> tuple[LoadReport, GraphBatch]:
    """Read every file and check every row against the batch and the store: the
    report lists the problems, the batch holds the good rows."""
    report = LoadReport()
    files = expand(paths)
    if not files:
        report.problems.append(
            Problem(" ".join(map(str, paths)) or "-", None, None, "no .csv or .json files to load")
        )
        return report, GraphBatch()
    raw: list[RawRow] = []
    for path in files:
        report.files.append(str(path))
        try:
            raw.extend(list(read_file(path)))  # a file is taken whole or not at all
        except FileProblem as exc:
            report.problems.append(exc.problem)
    total = len(raw)
    checked = check(raw, store, progress=(lambda n: on_read(n, total)) if on_read else None)
    report.rows = checked.rows
    report.problems.extend(checked.problems)
    return report, checked.batch


def written(report: LoadReport, batch: GraphBatch) -> None:
    report.batch = batch
    report.written = {
        name: len(getattr(batch, name)) for name in BATCH_FIELDS if getattr(batch, name)
    }


def entities(batch: GraphBatch) -> int:
    """Rows plus the COVERS and HAS_FINDING edges that audits and findings bring."""
    return len(batch) + len(batch.audits) + len(batch.findings)


def load(
    store: GraphStore,
    paths: list[Path],
    *,
    partial: bool = False,
    on_read: Progress | None = None,
    on_write: Progress | None = None,
) -> LoadReport:
    """Load files into the store. Without `partial`, any problem means nothing
    is written; with it, the good rows are written and the rest reported."""
    report, batch = read_and_check(store, paths, on_read)
    if report.problems and not partial:
        return report
    if len(batch):
        size, reported = entities(batch), 0

        def advance(n: int) -> None:
            nonlocal reported
            step = min(n, size - reported)  # the stores count their steps differently
            reported += step
            if on_write:
                on_write(step, size)

        store.write(batch, progress=advance)
        advance(size - reported)  # the write is whole: the bar ends full
    written(report, batch)
    return report
