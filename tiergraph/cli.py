"""The `tiergraph` command. Thin: parse, call one service, print the answer.

`tiergraph --help` and `status` must start fast: this module imports only typer
and rich; every command imports what it needs when it runs (no pydantic models,
numpy, networkx or drivers at module level, here or in the modules named below).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Column, Table
from rich.text import Text

from tiergraph.cli_cascade import audits, cascade_app, savings, worker
from tiergraph.cli_demo import demo
from tiergraph.cli_export import export
from tiergraph.cli_findings import findings
from tiergraph.cli_generate import generate
from tiergraph.cli_import import import_network
from tiergraph.cli_jointlist import joint_list
from tiergraph.cli_keys import keys_app
from tiergraph.cli_match import (
    AutomaticOpt,
    CandidateOpt,
    ConfirmOpt,
    CreateOpt,
    RejectOpt,
    choices,
    match,
    print_match,
    refused_choice,
    thresholds,
)
from tiergraph.cli_risk import risk_app
from tiergraph.cli_serve import serve
from tiergraph.cli_sharing import share_requests
from tiergraph.console import (
    BAD_ROWS,
    Commands,
    Format,
    FormatOpt,
    emit_json,
    err,
    fail,
    out,
    print_counts,
    progress_bar,
)
from tiergraph.stores import check_store_exists, open_store

if TYPE_CHECKING:
    from graph.store import GraphStore
    from tiergraph.settings import Settings

app = typer.Typer(
    cls=Commands,
    help="Supply-chain graph for the tier-by-tier cascade of sourcing requirements.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: typer's rich help imports rich.markdown and pygments (0.2 s of a
    # start that must stay under 0.5 s).
    rich_markup_mode=None,
)


def _settings(**overrides: Any) -> Settings:
    from tiergraph.settings import Settings

    return Settings(**overrides)


def _location(settings: Settings) -> str:
    return settings.neo4j_uri if settings.store == "neo4j" else str(settings.data_dir)


class Recompute(StrEnum):
    auto = "auto"
    queue = "queue"
    none = "none"


@app.command()
def load(
    paths: Annotated[
        list[Path], typer.Argument(help="CSV/JSON files or folders of them", exists=True)
    ],
    partial: Annotated[
        bool, typer.Option("--partial", help="write the good rows, report the bad")
    ] = False,
    recompute: Annotated[
        Recompute,
        typer.Option(
            help="after the load: queue the affected members' cascade jobs, or not "
            "(default: queue on Neo4j, none on the embedded store)"
        ),
    ] = Recompute.auto,
    ignore_other_files: Annotated[
        bool,
        typer.Option(
            "--ignore-other-files",
            help="skip a folder's files that are neither .csv nor .json (default: refuse)",
        ),
    ] = False,
    match_first: Annotated[
        bool,
        typer.Option(
            "--match",
            help="match each new organisation with the stored ones first (docs/matching.md): "
            "one that is a stored organisation is not created, the load's rows name the "
            "stored one; one a person must decide stops the load (--confirm, --create)",
        ),
    ] = False,
    confirm: ConfirmOpt = None,
    reject: RejectOpt = None,
    create: CreateOpt = None,
    candidate: CandidateOpt = None,
    automatic: AutomaticOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Validate every row, then write those that change the store (docs/formats.md):
    nothing is written when any row is bad, unless --partial; the report counts the
    rows written and those the store held already (unchanged). With --match (implied by --confirm,
    --reject and --create), new organisations are matched with the stored ones first."""
    from loaders.choices import ChoiceError
    from loaders.load import load as load_files

    settings = _settings()
    chosen = choices(confirm, reject, create)
    limits = None
    if match_first or chosen or candidate is not None or automatic is not None:
        limits = thresholds(settings, candidate, automatic)
    store = open_store(settings, create=True)
    try:
        with progress_bar(err.is_terminal or fmt == Format.table) as progress:
            reading = progress.add_task("checking rows", total=None)
            # loaders.load.entities: the rows, and the audits' and findings' links
            writing = progress.add_task("writing rows and audit links", total=None, visible=False)
            try:
                report = load_files(
                    store,
                    paths,
                    partial=partial,
                    ignore_other_files=ignore_other_files,
                    on_read=lambda n, total: progress.update(reading, advance=n, total=total),
                    on_write=lambda n, total: progress.update(
                        writing, visible=True, advance=n, total=total
                    ),
                    match=limits,
                    choices=chosen,
                )
            except ChoiceError as exc:
                raise refused_choice(exc) from None
            progress.update(reading, completed=report.rows, total=report.rows)
        queued = _recompute(settings, store, report, recompute)
    finally:
        store.close()
    if fmt == Format.json:
        emit_json({**report.as_dict(), "queued_jobs": queued})
    else:
        if queued:
            out.print(f"queued {len(queued)} cascade job(s) for the affected members")
        if report.match is not None:
            print_match(report.match, new_rows=False)
        print_problems(report.problems, report.unlisted)
        if not report.ok and not partial:
            err.print(
                f"[red]{len(report.problems) + report.unlisted:,} problem(s): nothing was "
                f"written.[/red] {_next_step(report)}"
            )
        print_load_counts(report)
    if not report.ok:
        raise typer.Exit(BAD_ROWS)


app.command()(generate)


def print_load_counts(report: Any) -> None:
    """Rows written (new or changed) and rows unchanged, by kind."""
    kinds = [*report.written, *(k for k in report.unchanged if k not in report.written)]
    table = Table("kind", Column("written", justify="right"), Column("unchanged", justify="right"))
    for kind in kinds:
        table.add_row(
            kind, f"{report.written.get(kind, 0):,}", f"{report.unchanged.get(kind, 0):,}"
        )
    if kinds:
        out.print(table)
    if report.unchanged and not report.written:
        out.print("nothing changed: the store held every row already, exactly so")


def _next_step(report: Any) -> str:
    """What to do about a load that wrote nothing: with --match, decide the rows it
    held back first (the rows that refer to them are refused only for that)."""
    held = len(report.match.undecided()) if report.match is not None else 0
    if not held:
        return "Fix the rows above, or load with --partial to write only the good rows."
    return (
        f"{held:,} organisation row(s) wait for your decision (--confirm FILE_ID=STORED_ID, "
        "--reject FILE_ID=STORED_ID or --create FILE_ID=REASON; `tiergraph match` lists them "
        "with their candidates); fix any other row above, or load with --partial to write "
        "only the good rows."
    )


PROBLEMS_SHOWN = 50
FOLLOWERS_SHOWN = 5


def print_problems(problems: list[Any], unlisted: int = 0) -> None:
    """The first PROBLEMS_SHOWN rows at fault, then a count of the rest; of the rows
    rejected only because they refer to one of those, the first few and a count
    (--format json lists the first loaders.validate.PROBLEMS_KEPT of both)."""
    from loaders.validate import PROBLEMS_KEPT

    causes = [p for p in problems if not p.follows_another]
    followers = [p for p in problems if p.follows_another]
    for problem in causes[:PROBLEMS_SHOWN] + followers[:FOLLOWERS_SHOWN]:
        err.print(Text.assemble(("✗ ", "red"), str(problem)), highlight=False, soft_wrap=True)
    more = max(len(causes) - PROBLEMS_SHOWN, 0) + unlisted
    if more:
        err.print(
            f"[red]✗[/red] and {more:,} more problem(s) (--format json lists the first "
            f"{PROBLEMS_KEPT:,} in all)"
        )
    if len(followers) > FOLLOWERS_SHOWN:
        err.print(
            f"[red]✗[/red] and {len(followers) - FOLLOWERS_SHOWN:,} more rows that refer to "
            "rows rejected or waiting above (--format json lists them)"
        )


def _recompute(settings: Settings, store: Any, report: Any, recompute: Recompute) -> list[str]:
    """Queue recomputation for the members above what the load changed."""
    if recompute == Recompute.none or not report.written:
        return []
    if recompute == Recompute.auto and settings.store != "neo4j":
        return []
    from cascade.service import changed_nodes, network_changed
    from tiergraph.bootstrap import CeleryDispatcher

    dispatcher = CeleryDispatcher.from_settings(settings)
    try:
        return network_changed(
            store, dispatcher.jobs, dispatcher, changed_nodes(report.batch, store)
        )
    except Exception as exc:  # noqa: BLE001 - the data is written; say why nothing was queued
        err.print(
            f"[yellow]loaded, but no cascade job was queued: {exc}[/yellow] "
            "(run `tiergraph cascade run` or start Redis)"
        )
        return []


@app.command()
def status(fmt: FormatOpt = Format.table) -> None:
    """What the store holds: nodes by kind, relationships by type."""
    settings = _settings()
    store = open_store(settings)
    try:
        counts = store.counts()
    finally:
        store.close()
    where = _location(settings)
    if fmt == Format.json:
        emit_json({"store": settings.store, "location": where, "counts": counts})
    else:
        out.print(f"store: {settings.store} ({where})")
        print_counts(counts, "count")


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


@app.command()
def reset(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="empty it without asking")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Empty the store: every organisation, edge, audit and saved result (asks first)."""
    settings = _settings()
    where = f"{settings.store} store at {_location(settings)}"
    check_store_exists(settings)  # nothing to empty: said before asking
    if not yes:
        if not stdin_is_terminal():
            fail(
                f"reset would empty the {where}; it asks first, and there is no terminal "
                "to ask on: pass --yes",
                code="not_confirmed",
                field="--yes",
            )
        if not typer.confirm(f"Empty the {where}? Everything in it is lost", err=True):
            fail(f"nothing was removed from the {where}", code="not_confirmed", field="--yes")
    store = open_store(settings)
    try:
        removed = store.counts()
        store.clear()
        jobs, export_files = _forget_jobs_and_exports(settings, store)
    finally:
        store.close()
    if fmt == Format.json:
        emit_json(
            {
                "store": settings.store,
                "location": _location(settings),
                "removed": removed,
                "jobs": jobs,
                "export_files": export_files,
            }
        )
    else:
        out.print(f"emptied the {where}")
        print_counts(removed, "removed")
        forgotten = "not reached (Redis did not answer)" if jobs is None else jobs
        out.print(f"jobs forgotten: {forgotten}; export files deleted: {export_files}")


def _forget_jobs_and_exports(settings: Settings, store: GraphStore) -> tuple[int | None, int]:
    """The jobs and export files of the emptied store go too: their status and files
    name organisations that are gone, and a member of the same id loaded later must not
    read them. Jobs in a Redis that does not answer stay (None; they expire in 7 days)."""
    from exports.jobs import place_from
    from views.job_runners import forget_jobs

    try:
        jobs: int | None = forget_jobs(store, settings)
    except Exception as exc:  # redis' ConnectionError and the like: said, not fatal
        err.print(f"[yellow]jobs in Redis at {settings.redis_url} not forgotten: {exc}[/]")
        jobs = None
    return jobs, place_from(settings, store).clear()


app.command()(demo)
app.command("import")(import_network)
app.add_typer(cascade_app, name="cascade")
app.add_typer(keys_app, name="keys")
app.add_typer(risk_app, name="risk")
app.command()(match)
app.command()(audits)
app.command()(findings)
app.command()(savings)
app.command("joint-list")(joint_list)
app.command()(export)
app.command("share-requests")(share_requests)
app.command()(worker)
app.command()(serve)


def main() -> None:
    """The console script (refusals are shown by `Commands`: one line, never a traceback)."""
    app()


if __name__ == "__main__":
    main()
