"""The `tiergraph` command. Thin: parse, call one service, print the answer."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tiergraph.bootstrap import open_store
from tiergraph.cli_cascade import audits, cascade_app, savings, worker
from tiergraph.cli_import import import_network
from tiergraph.cli_keys import keys_app
from tiergraph.cli_serve import serve
from tiergraph.console import Format, FormatOpt, emit_json, err, out, progress_bar
from tiergraph.settings import Settings

app = typer.Typer(
    help="Supply-chain graph for the tier-by-tier cascade of sourcing requirements.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


class Recompute(StrEnum):
    auto = "auto"
    queue = "queue"
    none = "none"


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="CSV/JSON files or folders of them")],
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
    fmt: FormatOpt = Format.table,
) -> None:
    """Validate every row, then write them all (docs/formats.md): nothing is written
    when any row is bad, unless --partial."""
    from loaders.load import load as load_files

    settings = Settings()
    store = open_store(settings)
    try:
        with progress_bar(err.is_terminal or fmt == Format.table) as progress:
            reading = progress.add_task("checking rows", total=None)
            writing = progress.add_task("writing", total=None, visible=False)
            report = load_files(
                store,
                paths,
                partial=partial,
                on_read=lambda n, total: progress.update(reading, advance=n, total=total),
                on_write=lambda n, total: progress.update(
                    writing, visible=True, advance=n, total=total
                ),
            )
            progress.update(reading, completed=report.rows, total=report.rows)
        queued = _recompute(settings, store, report, recompute)
    finally:
        store.close()
    if fmt == Format.json:
        emit_json({**report.as_dict(), "queued_jobs": queued})
    else:
        if queued:
            out.print(f"queued {len(queued)} cascade job(s) for the affected members")
        print_problems(report.problems)
        if report.problems and not partial:
            err.print(
                f"[red]{len(report.problems)} problem(s): nothing was written.[/red] "
                "Fix the rows above, or load with --partial to write only the good rows."
            )
        table = Table("kind", "rows written")
        for kind, n in report.written.items():
            table.add_row(kind, str(n))
        if report.written:
            out.print(table)
    if report.problems:
        raise typer.Exit(1)


FOLLOWERS_SHOWN = 5


def print_problems(problems: list[Any]) -> None:
    """Every row at fault; of the rows rejected only because they refer to one of
    those, the first few and a count (--format json lists them all)."""
    followers = [p for p in problems if p.follows_another]
    for problem in [p for p in problems if not p.follows_another] + followers[:FOLLOWERS_SHOWN]:
        err.print(f"[red]✗[/red] {problem}", highlight=False, markup=True)
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


class Profile(StrEnum):
    """The generator's network shapes (loaders/generate.py PROFILES)."""

    tiers = "tiers"
    brands = "brands"


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="folder to write the files into")],
    nodes: Annotated[int, typer.Option(help="about how many organisations")] = 5000,
    members: Annotated[
        int | None,
        typer.Option(help="how many member brands (default: 5 for tiers, 15 for brands)"),
    ] = None,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same network)")] = 42,
    as_json: Annotated[
        bool, typer.Option("--json", help="one JSON bundle instead of CSVs")
    ] = False,
    profile: Annotated[
        Profile,
        typer.Option(
            help="tiers: members' chains down to smallholders; brands: few members each "
            "listing hundreds to thousands of shared mills (docs/formats.md)"
        ),
    ] = Profile.tiers,
    fmt: FormatOpt = Format.table,
) -> None:
    """Write a realistic synthetic network in the load formats."""
    from loaders.generate import generate as make
    from loaders.writers import write_csv_dir, write_json_bundle

    try:
        batch = make(nodes=nodes, members=members, seed=seed, profile=profile.value)
    except ValueError as exc:
        err.print(f"[red]✗[/red] {exc}")
        raise typer.Exit(2) from None
    with progress_bar(fmt == Format.table) as progress:
        task = progress.add_task("writing files", total=len(batch))

        def advance(_kind: str, n: int) -> None:
            progress.advance(task, n)

        if as_json:
            files = [write_json_bundle(batch, out_dir / "network.json", progress=advance)]
        else:
            files = write_csv_dir(batch, out_dir, progress=advance)
    counts = {name: len(rows) for name, rows in _fields(batch)}
    if fmt == Format.json:
        emit_json({"files": [str(f) for f in files], "rows": counts})
    else:
        _print_counts(counts, "rows")
        out.print(f"wrote {len(files)} file(s) to {out_dir}")


def _fields(batch: Any) -> list[tuple[str, list]]:
    from graph.model import BATCH_FIELDS

    return [(name, getattr(batch, name)) for name in BATCH_FIELDS]


def _print_counts(counts: dict[str, int], what: str) -> None:
    table = Table("kind", what)
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    out.print(table)


@app.command()
def status(fmt: FormatOpt = Format.table) -> None:
    """What the store holds: nodes by kind, relationships by type."""
    settings = Settings()
    store = open_store(settings)
    try:
        counts = store.counts()
    finally:
        store.close()
    where = settings.neo4j_uri if settings.store == "neo4j" else str(settings.data_dir)
    if fmt == Format.json:
        emit_json({"store": settings.store, "location": where, "counts": counts})
    else:
        out.print(f"store: {settings.store} ({where})")
        _print_counts(counts, "count")


@app.command()
def demo(
    nodes: Annotated[int, typer.Option(help="about how many organisations")] = 3000,
    seed: Annotated[int, typer.Option(help="random seed")] = 42,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="then serve")] = True,
    port: Annotated[int | None, typer.Option(help="port to serve on")] = None,
) -> None:
    """First run: a synthetic network on the embedded store, every member's cascade
    computed, then the service (all in the data folder; run it again to reuse it)."""
    from cascade.engine import JobSpec
    from cascade.service import run_here
    from loaders.generate import generate as make
    from loaders.load import load as load_files
    from loaders.writers import write_csv_dir

    settings = Settings()
    store = open_store(settings)
    try:
        if not store.members():
            folder = settings.data_dir / "demo-input"
            write_csv_dir(make(nodes=nodes, seed=seed), folder)
            report = load_files(store, [folder])
            out.print(f"loaded a synthetic network from {folder}: {report.rows:,} rows")
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
            "next: `tiergraph cascade show -m MEMBER -r REQUIREMENT`, "
            "`tiergraph audits -m MEMBER`, or the API below"
        )
    finally:
        store.close()
    if serve_after:
        from tiergraph.cli_serve import serve

        serve(port=port)


app.command("import")(import_network)
app.add_typer(cascade_app, name="cascade")
app.add_typer(keys_app, name="keys")
app.command()(audits)
app.command()(savings)
app.command()(worker)
app.command()(serve)


def main() -> None:
    """The console script: a service that cannot be reached is one line, not a traceback."""
    from neo4j.exceptions import ServiceUnavailable
    from redis.exceptions import ConnectionError as RedisUnavailable

    try:
        app()
    except ServiceUnavailable as exc:
        err.print(
            f"[red]✗[/red] Neo4j at {Settings().neo4j_uri} does not answer ({exc}); start it "
            "(scripts/services.sh start) or set TIERGRAPH_NEO4J_URI, or use the embedded "
            "store (TIERGRAPH_STORE=memory)"
        )
        raise SystemExit(3) from None
    except RedisUnavailable as exc:
        err.print(
            f"[red]✗[/red] Redis at {Settings().redis_url} does not answer ({exc}); start it "
            "(scripts/services.sh start) or set TIERGRAPH_REDIS_URL"
        )
        raise SystemExit(3) from None


if __name__ == "__main__":
    main()
