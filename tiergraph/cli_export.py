"""`tiergraph export`: one member's network as a file (docs/exports.md), written
here, in this process, chunk by chunk; the summary on stdout."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tiergraph.cli_cascade import AsOfOpt, MemberOpt, open_store, parse_day
from tiergraph.console import Format, emit_json, err, fail, out, progress_bar
from tiergraph.members import require_member


class FileFormat(StrEnum):  # exports.formats.ExportFormat, without importing it here
    csv = "csv"
    jsonl = "jsonl"
    graphml = "graphml"


FileFormatOpt = Annotated[
    FileFormat,
    typer.Option(
        "--format",
        "-f",
        help="the file's format: csv (a zip of CSV files), jsonl (JSON Lines) or graphml",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="the file to write (default: tiergraph-<member>-<day>.<ext> here)"
    ),
]
ReportOpt = Annotated[
    Format, typer.Option("--report", help="the summary on stdout: table, or json (stable shape)")
]


def export(
    member: MemberOpt,
    fmt: FileFormatOpt,
    as_of: AsOfOpt = None,
    output: OutputOpt = None,
    report: ReportOpt = Format.table,
) -> None:
    """Export a member's network (nodes with tier, requirements reached, audit status
    and risk; edges with commodities) as CSV, JSON Lines or GraphML."""
    from exports.formats import ExportFormat, file_name
    from exports.run import ExportError, write_export

    day = parse_day(as_of)
    chosen = ExportFormat(fmt.value)
    path = output or Path(file_name(member, day.isoformat(), chosen))
    if path.is_dir() or not path.parent.resolve().is_dir():
        raise typer.BadParameter(
            f"{str(path)!r} is not a file in an existing folder", param_hint="--output"
        )
    store = open_store()
    try:
        require_member(store, member)
        with progress_bar(report == Format.table) as bar:
            task = bar.add_task(f"export {member}", total=None)

            def on_table(table) -> None:  # type: ignore[no-untyped-def]
                bar.update(task, total=table.node_count + table.edge_count)

            written = write_export(
                store,
                member,
                chosen,
                day,
                path,
                on_table=on_table,
                progress=lambda rows: bar.update(task, completed=rows),
            )
    except ExportError as exc:
        fail(str(exc), code=exc.code, field=exc.field)
    finally:
        store.close()
    if report == Format.json:
        emit_json(written.as_dict())
        return
    absent = "; ".join(f"{c}: {why}" for c, why in written.risk_absent.items())
    risk = f"risk components absent ({absent})" if absent else "every risk component"
    out.print(
        f"wrote {written.path} ({written.format.value}, {written.bytes:,} bytes): "
        f"{written.nodes:,} nodes and {written.edges:,} edges of {member}'s network on "
        f"{written.as_of.isoformat()}, {risk}"
    )
    err.print("columns and types: docs/exports.md")
