"""The `tiergraph` command. Thin: parse, call one service, print the answer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tiergraph.bootstrap import open_store
from tiergraph.cli_cascade import audits, cascade_app, worker
from tiergraph.cli_serve import serve
from tiergraph.console import Format, FormatOpt, emit_json, err, out, progress_bar
from tiergraph.settings import Settings

app = typer.Typer(
    help="Supply-chain graph for the tier-by-tier cascade of sourcing requirements.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="CSV/JSON files or folders of them")],
    partial: Annotated[
        bool, typer.Option("--partial", help="write the good rows, report the bad")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Validate every row, then write them all in one transaction (docs/formats.md)."""
    from loaders.load import load as load_files

    store = open_store()
    try:
        with progress_bar(err.is_terminal or fmt == Format.table) as progress:
            reading = progress.add_task("checking rows", total=None)
            writing = progress.add_task("writing", total=None, visible=False)

            def on_write(n: int) -> None:
                progress.update(writing, visible=True, advance=n)

            report = load_files(
                store,
                paths,
                partial=partial,
                on_read=lambda n: progress.advance(reading, n),
                on_write=on_write,
            )
            progress.update(reading, completed=report.rows, total=report.rows)
    finally:
        store.close()
    if fmt == Format.json:
        emit_json(report.as_dict())
    else:
        for problem in report.problems:
            err.print(f"[red]✗[/red] {problem}", highlight=False, markup=True)
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


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="folder to write the files into")],
    nodes: Annotated[int, typer.Option(help="about how many organisations")] = 5000,
    members: Annotated[int, typer.Option(help="how many member brands")] = 5,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same network)")] = 42,
    as_json: Annotated[
        bool, typer.Option("--json", help="one JSON bundle instead of CSVs")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Write a realistic synthetic network in the load formats."""
    from loaders.generate import generate as make
    from loaders.writers import write_csv_dir, write_json_bundle

    batch = make(nodes=nodes, members=members, seed=seed)
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


app.add_typer(cascade_app, name="cascade")
app.command()(audits)
app.command()(worker)
app.command()(serve)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
