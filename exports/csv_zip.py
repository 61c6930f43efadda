"""CSV: a zip archive of nodes.csv, edges.csv and about.csv (docs/exports.md).

UTF-8 with a byte order mark: Excel opens a CSV without one in the machine's
ANSI code page and garbles every name outside ASCII ("CoopÃ©rative"); with it,
Excel, LibreOffice and pandas (which drops the mark) all read UTF-8. Booleans
are `true`/`false`, absent values empty, lines end in CRLF (RFC 4180).
Members are deflated at level 1: several times faster than the default level,
and CSV of ids still shrinks about fourfold.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from exports.columns import COMMODITY_SEPARATOR, EDGE_COLUMNS, is_flag, node_columns, node_values
from exports.formats import Progress
from exports.table import ExportTable

ENCODING = "utf-8-sig"
TEXT = {True: "true", False: "false", None: ""}


def write(table: ExportTable, path: Path, progress: Progress) -> None:
    done = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with _member(archive, "nodes.csv") as out:
            rows = csv.writer(out)
            columns = node_columns(table)
            rows.writerow(columns)
            flags = [i for i, name in enumerate(columns) if is_flag(name)]
            for chunk in table.node_chunks():
                values = node_values(table, chunk)
                for i in flags:
                    values[i] = [TEXT[v] for v in values[i]]
                rows.writerows(zip(*values, strict=True))
                done += len(chunk)
                progress(done)
        with _member(archive, "edges.csv") as out:
            rows = csv.writer(out)
            rows.writerow(EDGE_COLUMNS)
            for edges in table.edge_chunks():
                joined = edges.joined(COMMODITY_SEPARATOR)
                rows.writerows(zip(edges.sources, edges.targets, joined, strict=True))
                done += len(edges)
                progress(done)
        with _member(archive, "about.csv") as out:
            rows = csv.writer(out)
            rows.writerow(("key", "value"))
            for key, value in table.header().items():
                rows.writerow((key, value if isinstance(value, str | int) else json.dumps(value)))


def _member(archive: zipfile.ZipFile, name: str) -> io.TextIOWrapper:
    """A text stream into a new member of the archive (written as it goes)."""
    raw = archive.open(name, "w", force_zip64=True)
    return io.TextIOWrapper(raw, encoding=ENCODING, newline="", write_through=False)
