"""`tiergraph match FILE...`: what each new organisation of the files is, against
the stored ones (docs/matching.md), and the options `load --match` shares with it.

Imported by `tiergraph --help`: typer and rich only; the rest when a command runs.
"""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from exports.spreadsheet import cells
from tiergraph.console import BAD_ROWS, CliError, emit_json, err, out, progress_bar

if TYPE_CHECKING:
    from loaders.choices import Choices
    from loaders.matched import MatchResult, RowMatch
    from matching import Thresholds
    from tiergraph.settings import Settings

ConfirmOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--confirm",
        metavar="FILE_ID=STORED_ID",
        help="the row FILE_ID is the stored organisation STORED_ID, one of its candidates "
        "(kept: decides the same name next time); repeat for more rows",
    ),
]
RejectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--reject",
        metavar="FILE_ID=STORED_ID",
        help="the row FILE_ID is not the stored organisation STORED_ID (kept); repeatable",
    ),
]
CreateOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--create",
        metavar="FILE_ID[=REASON]",
        help="the row FILE_ID is none of its candidates: it is new, and a load creates it "
        "(the rejections are kept, with the reason given); repeatable",
    ),
]
CandidateOpt = Annotated[
    float | None,
    typer.Option(
        "--candidate",
        min=0.0,
        max=1.0,
        help="name score from which a stored organisation is offered to choose "
        "(default TIERGRAPH_MATCH_CANDIDATE, 0.5)",
    ),
]
AutomaticOpt = Annotated[
    float | None,
    typer.Option(
        "--automatic",
        min=0.0,
        max=1.0,
        help="name score from which, with no conflict, it is the stored organisation "
        "(default TIERGRAPH_MATCH_AUTOMATIC, 0.8)",
    ),
]


class MatchFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


ROWS_SHOWN = 50  # rows of each decision in the table; --format json or csv lists them all


def thresholds(settings: Settings, candidate: float | None, automatic: float | None) -> Thresholds:
    """The settings' thresholds, with the options' on top."""
    try:
        return settings.match_thresholds(candidate, automatic)
    except ValueError as exc:
        if candidate is not None or automatic is not None:
            field = "--candidate" if candidate is not None else "--automatic"
            raise CliError(str(exc), code="bad_parameter", field=field) from None
        raise CliError(str(exc), code="bad_setting", field="TIERGRAPH_MATCH_CANDIDATE") from None


def choices(
    confirm: list[str] | None, reject: list[str] | None, create: list[str] | None
) -> Choices:
    from loaders.choices import ChoiceError, Choices

    try:
        return Choices.parse(confirm or (), reject or (), create or ())
    except ChoiceError as exc:
        raise CliError(str(exc), code="bad_parameter", field=exc.option) from None


def refused_choice(exc: Exception) -> CliError:
    """A choice that names no row of the files, or no candidate of its row."""
    return CliError(str(exc), code="bad_parameter", field=getattr(exc, "option", None))


def match(
    paths: Annotated[
        list[Path], typer.Argument(help="CSV/JSON files or folders of them", exists=True)
    ],
    confirm: ConfirmOpt = None,
    reject: RejectOpt = None,
    create: CreateOpt = None,
    candidate: CandidateOpt = None,
    automatic: AutomaticOpt = None,
    fmt: Annotated[
        MatchFormat, typer.Option("--format", "-f", help="table, json (stable shape) or csv")
    ] = MatchFormat.table,
) -> None:
    """What each organisation row of the files whose id is not stored would be:
    an existing organisation, one to choose among candidates, a conflict, or new.
    Writes nothing but the choices given (--confirm, --reject, --create), which are
    kept. Exit 1 when a row needs a person or is bad."""
    from loaders.choices import ChoiceError
    from loaders.match import keep_choices, match_rows, read_organisations
    from loaders.validate import PROBLEMS_KEPT
    from tiergraph.cli_keys import open_store
    from tiergraph.settings import Settings

    settings = Settings()
    limits = thresholds(settings, candidate, automatic)
    chosen = choices(confirm, reject, create)
    store = open_store(settings)
    try:
        with progress_bar(err.is_terminal and fmt == MatchFormat.table) as progress:
            task = progress.add_task("matching organisations", total=None)
            files, raw, problems = read_organisations(paths)
            try:
                result = match_rows(store, raw, thresholds=limits, choices=chosen)
            except ChoiceError as exc:
                raise refused_choice(exc) from None
            progress.update(task, total=len(raw), completed=len(raw))
        keep_choices(store, result, {"files": files, **chosen.as_dict()})
    finally:
        store.close()
    bad = problems + result.bad_rows
    ok = not bad and not result.undecided()
    if fmt == MatchFormat.json:
        emit_json(
            {
                "ok": ok,
                "files": files,
                "rows": len(raw),
                "rejected": [p.as_dict() for p in bad[:PROBLEMS_KEPT]],
                "unlisted": max(len(bad) - PROBLEMS_KEPT, 0),
                **result.as_dict(),
            }
        )
    elif fmt == MatchFormat.csv:
        write_csv(result)
        _print_bad(bad)
    else:
        _print_bad(bad)
        print_match(result, new_rows=True)
        if result.undecided():
            print_how_to_decide()
    if not ok:
        raise typer.Exit(BAD_ROWS)


def _print_bad(bad: list[Any]) -> None:
    from tiergraph.cli import print_problems

    print_problems(bad)


CSV_COLUMNS = (
    "file",
    "line",
    "id",
    "name",
    "country",
    "decision",
    "organisation",
    "reason",
    "choice",
    "candidate",
    "candidate_name",
    "candidate_country",
    "candidate_kind",
    "score",
    "conflicts",
)


def write_csv(result: MatchResult) -> None:
    """One line per candidate of each row (one line for a row without any)."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in result.rows:
        data = result.row_dict(row)
        head = [data[c] for c in CSV_COLUMNS[:9]]
        for c in data["candidates"] or [None]:
            tail = ["", "", "", "", "", ""]
            if c is not None:
                tail = [c["id"], c["name"], c["country"], c["kind"], c["score"]]
                tail.append(";".join(c["conflicts"]))
            writer.writerow(cells("" if v is None else v for v in head + tail))


def print_match(result: MatchResult, *, new_rows: bool) -> None:
    """The rows a person must decide (with every candidate), then those matched,
    then those found new (without `new_rows`, only those a choice named, as in
    MatchResult.as_dict); ROWS_SHOWN of each."""
    counts = result.counts()
    out.print(
        f"{len(result.rows):,} new organisation row(s): {counts['existing']:,} existing, "
        # "conflict" is a decision (identifiers held by several stored organisations),
        # not the table's conflicts column: "0 conflict(s)" above a table of them misled
        f"{counts['choose']:,} to choose, "
        f"{counts['conflict']:,} with identifiers held by several stored organisations, "
        f"{counts['new']:,} new; {counts['stored']:,} already stored (loaded as they are)",
        highlight=False,
    )
    groups = [result.undecided(), [r for r in result.rows if r.match.decision == "existing"]]
    groups.append([r for r in result.rows if r.match.decision == "new" and (new_rows or r.choice)])
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    shown = [row for rows in groups for row in rows[:ROWS_SHOWN]]
    # The ids are what --confirm and --create take: never cut, whatever the width.
    table.add_column("id", no_wrap=True, min_width=max((len(r.org.id) for r in shown), default=2))
    table.add_column("name (country)")
    table.add_column("decision")
    ids = [c.id for r in shown for c in r.match.candidates]
    widest = max(map(len, ids), default=0)
    table.add_column("stored organisation", overflow="fold", min_width=max(widest, 12))
    table.add_column("score", justify="right")
    table.add_column("conflicts")
    hidden = 0
    for rows in groups:
        for row in rows[:ROWS_SHOWN]:
            _add_row(table, result, row)
        hidden += max(len(rows) - ROWS_SHOWN, 0)
    if table.row_count:
        out.print(table)
    if hidden:
        out.print(f"and {hidden:,} more row(s): --format json or csv lists them all")
    if result.verdicts:
        kept = "kept" if result.kept else "not kept (nothing was written)"
        if result.not_kept:
            kept = f"NOT kept ({result.not_kept}): give them again next time"
        described = "; ".join(
            f"{v['id']} {'is' if v['same'] else 'is not'} {v['organisation']}"
            for v in result.verdict_dicts()
        )
        out.print(f"choices {kept}: {described}", highlight=False)


def print_how_to_decide() -> None:
    err.print(
        "decide each row to choose with --confirm FILE_ID=STORED_ID (it is that one), "
        "--reject FILE_ID=STORED_ID (it is not), or --create FILE_ID=REASON (none of them); "
        "the choices are kept",
        highlight=False,
    )


def _add_row(table: Table, result: MatchResult, row: RowMatch) -> None:
    org, found = row.org, row.match
    colour = {"existing": "green", "new": "cyan"}.get(found.decision, "yellow")
    why = found.reason + (f"; same name as {', '.join(row.namesakes)}" if row.namesakes else "")
    decision = Text.assemble((found.decision, colour), (f": {why}", "dim"))
    first = [Text(org.id), Text(f"{org.name} ({org.country})"), decision]
    if found.decision == "existing" and found.candidates:
        table.add_row(*first, *_candidate_cells(result, found.candidates[0]))
        return
    table.add_row(*first)
    for candidate in found.candidates:
        table.add_row(
            Text(""), Text(""), Text("  candidate", "dim"), *_candidate_cells(result, candidate)
        )


def _candidate_cells(result: MatchResult, candidate: Any) -> list[Text]:
    stored = result.stored.get(candidate.id)
    # The id on a line of its own, whole (--confirm takes it); the name folds below.
    name = f"{candidate.id}\n{stored.name} ({stored.country})" if stored else candidate.id
    return [Text(name), Text(f"{candidate.score:.2f}"), Text(", ".join(candidate.conflicts))]
