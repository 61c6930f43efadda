"""The export formats: what each file is called and served as, and its writer."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exports.table import ExportTable

Progress = Callable[[int], None]  # told the rows written so far, after each chunk


class ExportFormat(StrEnum):
    csv = "csv"  # a zip archive of CSV files, one per table
    jsonl = "jsonl"
    graphml = "graphml"


EXTENSION = {ExportFormat.csv: "zip", ExportFormat.jsonl: "jsonl", ExportFormat.graphml: "graphml"}
MEDIA_TYPE = {
    ExportFormat.csv: "application/zip",
    ExportFormat.jsonl: "application/x-ndjson",
    ExportFormat.graphml: "application/graphml+xml",
}


def write(fmt: ExportFormat, table: ExportTable, path: Path, progress: Progress) -> None:
    """Write the export of `table` in `fmt` to `path`, chunk by chunk."""
    from exports import csv_zip, graphml, jsonl

    writers = {ExportFormat.csv: csv_zip.write, ExportFormat.jsonl: jsonl.write}
    writers[ExportFormat.graphml] = graphml.write
    writers[fmt](table, path, progress)


def file_name(member: str, as_of: str, fmt: ExportFormat) -> str:
    """The name a download is offered under: tiergraph-<member>-<day>.<ext>."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in member)
    return f"tiergraph-{safe}-{as_of}.{EXTENSION[fmt]}"
