"""The `tiergraph` command. Thin: parse, call one service, print the answer.

`tiergraph --help` and `status` must start fast: this module imports only typer
and rich; every command imports what it needs when it runs (no pydantic models,
numpy, networkx or drivers at module level, here or in the modules named below).
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from tiergraph.cli_cascade import audits, cascade_app, savings, worker
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
    """Validate every row, then write them all (docs/formats.md): nothing is written
    when any row is bad, unless --partial. With --match (implied by --confirm,
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
            writing = progress.add_task("writing", total=None, visible=False)
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
                "written.[/red] Fix the rows above, or load with --partial to write only "
                "the good rows."
            )
        print_load_counts(report)
    if not report.ok:
        raise typer.Exit(BAD_ROWS)


def print_load_counts(report: Any) -> None:
    """Rows written (new or changed) and rows unchanged, by kind."""
    kinds = [*report.written, *(k for k in report.unchanged if k not in report.written)]
    table = Table("kind", "written", "unchanged")
    for kind in kinds:
        table.add_row(
            kind, f"{report.written.get(kind, 0):,}", f"{report.unchanged.get(kind, 0):,}"
        )
    if kinds:
        out.print(table)
    if report.unchanged and not report.written:
        out.print("nothing changed: the store held every row already, exactly so")


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
            f"[red]✗[/red] and {len(followers) - FOLLOWERS_SHOWN} more rows that refer to rows "
            "rejected above (all listed with --format json)"
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
    finally:
        store.close()
    if fmt == Format.json:
        emit_json({"store": settings.store, "location": _location(settings), "removed": removed})
    else:
        out.print(f"emptied the {where}")
        print_counts(removed, "removed")


DEMO_MARK = "demo-network"  # a file in the demo's folder: the demo wrote what is there


def demo_folder(settings: Settings, data_dir: Path | None) -> Path:
    """The demo's own folder, beside the user's data folder (never inside it)."""
    return data_dir if data_dir is not None else settings.data_dir.parent / ".tiergraph-demo"


@app.command()
def demo(
    nodes: Annotated[int, typer.Option(help="about how many organisations", min=300)] = 3000,
    seed: Annotated[int, typer.Option(help="random seed")] = 42,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="the demo's own folder (default: .tiergraph-demo beside TIERGRAPH_DATA_DIR)",
        ),
    ] = None,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="then serve")] = True,
    port: Annotated[int | None, typer.Option(help="port to serve on", min=1, max=65535)] = None,
) -> None:
    """First run: a synthetic network on the embedded store in a folder of its own,
    every member's cascade computed, then the service (run it again to reuse it).
    Your own data (TIERGRAPH_DATA_DIR, or Neo4j) is never touched."""
    folder = demo_folder(_settings(), data_dir)
    # The projection cache goes with the demo's store, never into the user's folder.
    os.environ.setdefault("TIERGRAPH_CACHE_DIR", str(folder / "cache"))
    settings = _settings(store="embedded", data_dir=folder)
    if serve_after:  # a busy port is said before the work, not after
        from tiergraph.cli_serve import check_can_listen

        field = "TIERGRAPH_API_PORT" if port is None else "--port"
        check_can_listen(settings.api_host, settings.api_port if port is None else port, field)
    store = open_store(settings, create=True)
    try:
        if not (folder / DEMO_MARK).exists():
            if any(store.counts().values()):
                fail(
                    f"{folder} holds a network the demo did not write; the demo never mixes "
                    "its network into yours: pass --data-dir with an empty or new folder, or "
                    f"empty that one first (TIERGRAPH_DATA_DIR={folder} tiergraph reset)",
                    code="store_not_empty",
                    field="--data-dir",
                )
            _load_demo(store, folder, nodes, seed)
        _cascade_demo(store, folder, serve_after)
        _demo_keys(store, settings, port)
    finally:
        store.close()
    if serve_after:
        # The service (and uvicorn's app factory) read the store from the environment.
        os.environ["TIERGRAPH_STORE"], os.environ["TIERGRAPH_DATA_DIR"] = "embedded", str(folder)
        serve(port=port)


def _load_demo(store: Any, folder: Path, nodes: int, seed: int) -> None:
    from loaders import beside
    from loaders.generate import REFERENCE_DAY
    from loaders.generate import generate as make
    from loaders.load import load as load_files
    from loaders.writers import write_csv_dir

    files = folder / "demo-input"
    batch = make(nodes=nodes, seed=seed)
    write_csv_dir(batch, files)
    beside.write_csv(beside.generated(batch, seed=seed, today=REFERENCE_DAY), files)
    report = load_files(store, [files])
    if report.problems:
        raise RuntimeError(f"the demo's own files did not load: {report.problems[0]}")
    (folder / DEMO_MARK).write_text(f"nodes={nodes} seed={seed}\n", encoding="utf-8")
    out.print(f"loaded a synthetic network from {files}: {report.rows:,} rows")


def _cascade_demo(store: Any, folder: Path, serving: bool) -> None:
    from cascade.engine import JobSpec
    from cascade.service import run_here

    table = Table("member", "requirement", "depth", "reached", "cascade gaps")
    audit_table = Table("member", "as of", "in scope", "audit-covered", "audit gaps", "saved")
    with progress_bar() as progress:
        task = progress.add_task("cascading members", total=len(store.members()))
        for member in store.members():
            meta = run_here(store, JobSpec(member))
            for requirement in meta["requirements"]:
                p = store.results("coverage", member, requirement, 1)[0].payload
                table.add_row(
                    member,
                    requirement,
                    str(p["depth"]),
                    f"{p['reached']:,} of {p['nodes']:,}",
                    f"{len(p['gaps']):,}",
                )
            a = store.results("audits", member, meta["as_of"], 1)[0].payload
            audit_table.add_row(
                member,
                a["as_of"],
                f"{a['in_scope']:,}",
                f"{a['covered']:,}",
                f"{len(a['gaps']):,}",
                "-" if a["savings"] is None else f"{a['savings']:.0%}",
            )
            progress.advance(task)
    out.print(table)
    out.print(audit_table)
    out.print(
        f"the demo's store is {folder}; to look further, point the other commands at it: "
        f"`TIERGRAPH_DATA_DIR={folder} tiergraph cascade show -m MEMBER -r REQUIREMENT`, "
        "`... tiergraph audits -m MEMBER`, "
        + ("or the API below" if serving else "or `... tiergraph serve`"),
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


def _demo_keys(store: Any, settings: Settings, port: int | None) -> None:
    """A key for the first member's sourcing team and analysts and for one of its
    direct suppliers (new keys on every run: a key is shown only when made)."""
    from cascade import projection as projections
    from graph.model import Kind
    from graph.store import KIND_ORDER
    from tiergraph.cli_keys import demo_keys, print_demo_keys

    member = store.members()[0]
    p = projections.current(store)
    at = p.position(member)
    sellers = p.indices[p.indptr[at] : p.indptr[at + 1]]
    supplier = next(str(p.ids[s]) for s in sellers if KIND_ORDER[int(p.kind[s])] == Kind.SUPPLIER)
    url = f"http://{settings.api_host}:{settings.api_port if port is None else port}/graphql"
    made = demo_keys(store, member=member, supplier=supplier)
    out.print(f"API keys for {member}'s people and for its supplier {supplier} (shown once):")
    print_demo_keys(made, url)
    requirement = store.requirements_of(member)[0]
    query = '{"query": "{ tierCoverage(requirement: \\"%s\\") { depth tiers { tier nodes reached } } }"}'
    out.print(
        f"for instance: curl -s {url} -H 'Authorization: Bearer {made[0][1]}' "
        f"-H 'content-type: application/json' -d '{query % requirement}'",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


app.command("import")(import_network)
app.add_typer(cascade_app, name="cascade")
app.add_typer(keys_app, name="keys")
app.add_typer(risk_app, name="risk")
app.command()(generate)
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
