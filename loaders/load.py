"""`tiergraph load`: read every file, check every row, then write in one go."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from graph.model import BATCH_FIELDS, CorrectiveAction, GraphBatch, Share
from graph.store import GraphStore, Mutation, MutationRecord, RequestStatus
from loaders.read import FileProblem, Problem, RawRow, expand, read_file
from loaders.rows import parse_row
from loaders.unchanged import changing_actions, split_unchanged
from loaders.validate import PROBLEMS_KEPT, check, parse_problems
from loaders.validate_requests import Requests

if TYPE_CHECKING:
    from loaders.choices import Choices
    from loaders.matched import MatchResult
    from matching import Thresholds

Progress = Callable[[int, int], None]  # (rows just done, rows in all)

# A file whose first SNIFF_ROWS rows are all bad is not of its kind at all (a
# renamed export, garbage): it is refused without reading the rest, in seconds.
SNIFF_ROWS = 100


@dataclass
class LoadReport:
    files: list[str] = field(default_factory=list)
    rows: int = 0
    written: dict[str, int] = field(default_factory=dict)  # rows new or changed, by kind
    unchanged: dict[str, int] = field(default_factory=dict)  # rows stored already, exactly so
    problems: list[Problem] = field(default_factory=list)
    unlisted: int = 0  # problems found past the first loaders.validate.PROBLEMS_KEPT
    batch: GraphBatch = field(default_factory=GraphBatch)  # what was written
    actions: list[CorrectiveAction] = field(default_factory=list)  # plans checked, to write
    requests: Requests = field(default_factory=Requests)  # share requests checked, to write
    match: MatchResult | None = None  # with --match: what each new organisation is

    @property
    def ok(self) -> bool:
        return not self.problems and not self.unlisted

    def as_dict(self) -> dict[str, Any]:
        """The stable `--format json` shape (docs/formats.md)."""
        return {
            "ok": self.ok,
            "files": self.files,
            "rows": self.rows,
            "written": self.written,
            "unchanged": self.unchanged,
            "rejected": [p.as_dict() for p in self.problems],
            "unlisted": self.unlisted,
            "match": None if self.match is None else self.match.as_dict(new_rows=False),
        }


def read_and_check(
    store: GraphStore,
    paths: list[Path],
    on_read: Progress | None = None,
    *,
    ignore_other_files: bool = False,
    today: date | None = None,
    match: Thresholds | None = None,
    choices: Choices | None = None,
) -> tuple[LoadReport, GraphBatch]:
    """Read every file and check every row against the batch and the store (days
    against `today`, default the clock's): the report lists the problems, the
    batch holds the good rows. A folder's files that are neither CSV nor JSON are
    problems (nothing is written) unless `ignore_other_files`. With `match`
    (thresholds), the new organisations are matched first (`matched_rows`)."""
    report = LoadReport()
    files, others = expand(paths)
    if not ignore_other_files:
        report.problems.extend(
            Problem(
                str(other),
                None,
                None,
                "neither .csv nor .json: move it out of the folder, or load with "
                "--ignore-other-files",
            )
            for other in others
        )
    if not files:
        report.problems.append(
            Problem(" ".join(map(str, paths)) or "-", None, None, "no .csv or .json files to load")
        )
        return report, GraphBatch()
    raw: list[RawRow] = []
    for path in files:
        report.files.append(str(path))
        try:
            raw.extend(_whole_file(path, today))  # a file is taken whole or not at all
        except FileProblem as exc:
            report.problems.extend([exc.problem, *exc.rows])
    total = len(raw)
    held: set[str] = set()
    if match is not None:
        raw, held = matched_rows(store, raw, report, match, choices)
    progress = (lambda n: on_read(n, total)) if on_read else None
    checked = check(raw, store, progress=progress, today=today, held_back=held)
    report.rows = checked.rows + total - len(raw)
    # The match's questions come first; the whole list keeps PROBLEMS_KEPT, the rest counted.
    room = max(PROBLEMS_KEPT - len(report.problems), 0)
    report.problems.extend(checked.problems[:room])
    report.unlisted += checked.unlisted + max(len(checked.problems) - room, 0)
    report.actions = checked.actions
    report.requests = checked.requests
    return report, checked.batch


def matched_rows(
    store: GraphStore,
    raw: list[RawRow],
    report: LoadReport,
    thresholds: Thresholds,
    choices: Choices | None,
) -> tuple[list[RawRow], set[str]]:
    """The rows to check once matched (loaders.match.rewrite), and the ids of the
    organisations held back; each held back row is a problem of the report."""
    from loaders.match import match_rows, rewrite

    report.match = match_rows(store, raw, thresholds=thresholds, choices=choices)
    kept, held, merged = rewrite(raw, report.match)
    questions = report.match.problems() + merged
    report.problems.extend(questions[:PROBLEMS_KEPT])
    report.unlisted += max(len(questions) - PROBLEMS_KEPT, 0)
    return kept, held


def _whole_file(path: Path, today: date | None) -> list[RawRow]:
    """Every row of the file; refuses it (FileProblem) as soon as its first
    SNIFF_ROWS rows turn out all bad, with those rows' problems."""
    rows_of = read_file(path)
    rows: list[RawRow] = []
    problems: list[Problem] = []
    for raw in rows_of:
        rows.append(raw)
        found = row_problems(raw, today)
        if not found:
            break  # a good row: the file is of its kind; read the rest as it is
        problems.extend(found)
        if len(rows) == SNIFF_ROWS:
            reason = (
                f"its first {SNIFF_ROWS} rows are all bad: not a file of {raw.kind}? The "
                "rest of it was not read (the problems of those rows follow)"
            )
            raise FileProblem(Problem(str(path), None, None, reason), problems)
    rows.extend(rows_of)
    return rows


def row_problems(raw: RawRow, today: date | None) -> list[Problem]:
    """What is wrong with the row on its own."""
    if "__shape__" in raw.data:
        return [raw.problem(None, raw.data["__shape__"])]
    try:
        parse_row(raw.kind, raw.data, today)
    except ValidationError as exc:
        return parse_problems(raw, exc)
    return []


def written(report: LoadReport, batch: GraphBatch) -> None:
    report.batch = batch
    report.written = {
        name: len(getattr(batch, name)) for name in BATCH_FIELDS if getattr(batch, name)
    }


def write_beside(
    store: GraphStore, actions: list[CorrectiveAction], requests: Requests, files: list[str]
) -> None:
    """The plans and the share requests, after the graph they name, in one transaction
    of their own kept as an operator's mutation ("load"), a granted request with its
    SHARED_WITH as the API grants it; loading them again keeps each step once and
    leaves an unchanged request alone."""
    request = hashlib.sha256(json.dumps(files).encode()).hexdigest()
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    record = MutationRecord(
        uuid.uuid4().hex, "load", None, "operator", "load", at, None, request, {}
    )
    grants = [Share(r.audit, r.member) for r in requests.write if r.status == RequestStatus.GRANTED]
    store.apply(
        Mutation(
            record,
            GraphBatch(shares=grants),
            actions=tuple(actions),
            requests=tuple(requests.write),
        )
    )


def entities(batch: GraphBatch) -> int:
    """Rows plus the COVERS and HAS_FINDING edges that audits and findings bring."""
    return len(batch) + len(batch.audits) + len(batch.findings)


def load(
    store: GraphStore,
    paths: list[Path],
    *,
    partial: bool = False,
    ignore_other_files: bool = False,
    today: date | None = None,
    on_read: Progress | None = None,
    on_write: Progress | None = None,
    match: Thresholds | None = None,
    choices: Choices | None = None,
) -> LoadReport:
    """Load files into the store. Without `partial`, any problem means nothing
    is written; with it, the good rows are written and the rest reported. With
    `match` (thresholds), each new organisation is matched first: one matched to a
    stored organisation is not created and the load's references to it name the
    stored one; one a person must decide is a problem (`choices` decide it). The
    choices are kept once the load is written, never before."""
    report, batch = read_and_check(
        store,
        paths,
        on_read,
        ignore_other_files=ignore_other_files,
        today=today,
        match=match,
        choices=choices,
    )
    if not report.ok and not partial:
        return report
    batch, report.unchanged = split_unchanged(store, batch)
    _unchanged_beside(store, report)
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
    if report.actions or report.requests.write:
        write_beside(store, report.actions, report.requests, report.files)
    if report.actions:
        report.written["corrective_actions"] = len(report.actions)
    if report.requests.write:
        report.written["share_requests"] = len(report.requests.write)
    if report.match is not None and report.match.verdicts:
        _keep_choices(store, report.match, report.files, choices)
    return report


def _unchanged_beside(store: GraphStore, report: LoadReport) -> None:
    """Leave out the plans the store holds already; count them and the share requests
    found unchanged (loaders.validate_requests) with the graph's rows."""
    changing = changing_actions(store, report.actions)
    if len(changing) < len(report.actions):
        report.unchanged["corrective_actions"] = len(report.actions) - len(changing)
    report.actions = changing
    if report.requests.unchanged:
        report.unchanged["share_requests"] = report.requests.unchanged


def _keep_choices(
    store: GraphStore, result: MatchResult, files: list[str], choices: Choices | None
) -> None:
    from loaders.match import keep_choices

    arguments = {"files": files, **(choices.as_dict() if choices else {})}
    try:
        keep_choices(store, result, arguments)
    except Exception as exc:  # noqa: BLE001 - the load is written: say what was not kept
        result.not_kept = f"{type(exc).__name__}: {exc}"
