"""`tiergraph import`: an initial load through Neo4j's offline importer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer

from tiergraph.console import Format, FormatOpt, emit_json, err, out, progress_bar

STAGE = re.compile(r"^\((\d)/(\d)\) (.+?)\s+\d{4}-\d\d-\d\d")
PERCENT = re.compile(r"(\d{1,3})% ")


def import_network(
    paths: Annotated[
        list[Path], typer.Argument(help="CSV/JSON files or folders of them", exists=True)
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", help="folder for the importer's files (created)")
    ],
    neo4j_home: Annotated[
        Path | None,
        typer.Option(
            help="run the importer on this Neo4j home (its server stopped); "
            "without it, only the files are written and the command to run is printed"
        ),
    ] = None,
    database: Annotated[str, typer.Option(help="database to create")] = "neo4j",
    replace: Annotated[
        bool, typer.Option("--replace", help="replace the database if it exists (its data is lost)")
    ] = False,
    neo4j_admin: Annotated[
        str | None,
        typer.Option(help="a neo4j-admin executable (default: the jars of scripts/neo4j)"),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Initial load of a whole network into a stopped, empty Neo4j (docs/formats.md):
    every row is checked as `load` checks it, and nothing is written when any row is bad."""
    from graph.neo4j_import import ARGS_FILE, ImportFailed, run_import, write_import_files
    from graph.sqlite_store import SqliteStore
    from loaders.load import entities, read_and_check, written

    show = fmt == Format.table
    with progress_bar(show) as progress:
        reading = progress.add_task("checking rows", total=None)
        # An import starts from an empty database: every reference must be in the files.
        report, batch = read_and_check(
            SqliteStore(),
            paths,
            on_read=lambda n, total: progress.update(reading, advance=n, total=total),
        )
        progress.update(reading, completed=report.rows, total=report.rows)
        if report.problems:
            _refuse(report, fmt)
        files_task = progress.add_task("writing importer files", total=entities(batch))
        files = write_import_files(batch, out_dir, lambda n: progress.advance(files_task, n))
        done = files.nodes + files.relationships
        progress.update(files_task, completed=done, total=done)
        run: Any = None
        if neo4j_home is not None:
            stage = progress.add_task("importing", total=100)

            def follow(line: str) -> None:
                if m := STAGE.match(line):
                    progress.update(stage, description=f"import {m[1]}/{m[2]}: {m[3]}", completed=0)
                elif m := PERCENT.search(line):
                    progress.update(stage, completed=int(m[1]))

            try:
                run = run_import(files, neo4j_home, database, replace, neo4j_admin, follow)
            except ImportFailed as exc:
                err.print(f"[red]import failed:[/red] {exc}", highlight=False)
                raise typer.Exit(1) from None
    written(report, batch)
    command = f"neo4j-admin database import full {database} @{ARGS_FILE}" + (
        " --overwrite-destination" if replace else ""
    )
    result = {
        **report.as_dict(),
        "folder": str(out_dir),
        "nodes": files.nodes,
        "relationships": files.relationships,
        "imported": run is not None,
        "seconds": round(run.seconds, 3) if run else None,
        "command": command,
    }
    if fmt == Format.json:
        emit_json(result)
        return
    out.print(f"{files.nodes:,} nodes and {files.relationships:,} relationships in {out_dir}")
    if run:
        rate = (files.nodes + files.relationships) / run.seconds
        out.print(f"imported into {neo4j_home} in {run.seconds:.1f} s ({rate:,.0f}/s)")
        out.print("constraints and indexes are created when tiergraph next connects")
    else:
        out.print(f"with Neo4j stopped, run in {out_dir}:  {command}")


def _refuse(report: Any, fmt: Format) -> None:
    if fmt == Format.json:
        emit_json({**report.as_dict(), "imported": False})
    else:
        from tiergraph.cli import print_problems  # the first 50, then a count, as `load`

        print_problems(report.problems, report.unlisted)
        err.print("[red]problems found: nothing was written.[/red]")
    raise typer.Exit(1)
