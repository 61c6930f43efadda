"""Initial loads through Neo4j's offline importer (`neo4j-admin database import full`).

Neo4j's transactional writes top out near 35-45k relationships/s on 2 cores
however they are batched (bench/README.md), so a network of millions of rows is
written fastest by the importer, which builds the store files directly: the
database must be stopped and is created (or, with `replace`, replaced) whole.

`write_import_files` turns a checked GraphBatch into the importer's CSV files
(the same nodes, labels, relationships and property types the online write
stores: one contract test compares the two) plus `neo4j-admin.args`;
`run_import` runs the importer on a Neo4j home (the jars of scripts/neo4j, or
a `neo4j-admin` executable). Constraints and indexes are not part of an import:
`Neo4jStore.connect` creates them when the server is next opened.
"""

from __future__ import annotations

import csv
import os
import subprocess
import time
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any

from graph import model
from graph.codec import ROW_TYPES
from graph.model import GraphBatch, Kind
from graph.neo4j_bulk import EDGES, NODE_FIELDS, NODE_LABELS, _last_per_key, _rows_of

ARGS_FILE = "neo4j-admin.args"
ARRAY_DELIMITER = "\x1f"  # ASCII unit separator: cannot occur in the text we accept
NODE_ROWS = {
    "organisation": "organisations",
    "requirement": "requirements",
    "audit": "audits",
    "finding": "findings",
}
EDGE_ROW_TYPES = {"covers": model.Audit, "has_finding": model.Finding}
LAUNCHER_DIR = Path(__file__).resolve().parent.parent / "scripts" / "neo4j" / "target"


class ImportFailed(Exception):
    """The importer refused or failed; the message carries what it said."""


@dataclass
class ImportFiles:
    folder: Path
    nodes: int = 0
    relationships: int = 0
    args: list[str] = field(default_factory=list)  # importer arguments, paths relative to folder


def _type_suffix(row_type: type, name: str) -> str:
    hint = typing.get_type_hints(row_type)[name]
    args = typing.get_args(hint) or (hint,)
    if date in args:
        return ":date"
    if bool in args:
        return ":boolean"
    if float in args:
        return ":double"
    if typing.get_origin(hint) is tuple:
        return ":string[]"
    return ""


# How a column's values become CSV text where str() would not do: csv.writer
# writes None as an empty unquoted field (no property, as the online write
# stores None), and str() of a date or a StrEnum is already its ISO text or value.
CONVERT: dict[str, Callable[[Any], str]] = {
    ":boolean": lambda v: "true" if v else "false",
    ":string[]": ARRAY_DELIMITER.join,
}


@dataclass
class _Columns:
    """Which row attributes go into one file, and their header."""

    fields: tuple[str, ...]
    header: list[str]

    def suffixes(self) -> list[str]:
        return [
            h[h.index(":") :] if ":" in h and not h.startswith(":") else "" for h in self.header
        ]


class _Writer:
    def __init__(self, folder: Path, progress: Callable[[int], None] | None):
        self.files = ImportFiles(folder)
        self.progress = progress
        self.multiline = False  # a value spans lines: the importer must be told (it is slower)

    def write(self, option: str, name: str, columns: _Columns, rows: list[Any]) -> None:
        if not rows:
            return
        path = self.files.folder / f"{name}.csv"
        get = attrgetter(*columns.fields)
        table = [get(r) for r in rows] if len(columns.fields) > 1 else [(get(r),) for r in rows]
        converted = {i: CONVERT[s] for i, s in enumerate(columns.suffixes()) if s in CONVERT}
        if converted:
            table = [
                tuple(converted[i](v) if i in converted and v is not None else v
                      for i, v in enumerate(row))
                for row in table
            ]  # fmt: skip
        if not self.multiline:
            text = "\x00".join(v for row in table for v in row if isinstance(v, str))
            self.multiline = "\n" in text or "\r" in text
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(columns.header)
            for start in range(0, len(table), 50_000):
                chunk = table[start : start + 50_000]
                out.writerows(chunk)
                if self.progress:
                    self.progress(len(chunk))
        self.files.args.append(f"--{option}={path.name}")
        if option.startswith("nodes"):
            self.files.nodes += len(table)
        else:
            self.files.relationships += len(table)


def write_import_files(
    batch: GraphBatch, folder: Path, progress: Callable[[int], None] | None = None
) -> ImportFiles:
    """The importer's files for `batch`, which must be checked already (every
    reference inside the batch: an import starts from an empty database).
    Rows repeating a key are written once, the last one winning, as MERGE would."""
    folder.mkdir(parents=True, exist_ok=True)
    w = _Writer(folder, progress)
    for entity, batch_field in NODE_ROWS.items():
        rows = _last_per_key(getattr(batch, batch_field), ("id",))
        fields = NODE_FIELDS[entity]
        row_type = ROW_TYPES[batch_field]
        header = [f"id:ID({entity})"] + [f + _type_suffix(row_type, f) for f in fields[1:]]
        columns = _Columns(fields, header)
        if entity == "organisation":
            for kind in Kind:
                group = [r for r in rows if r.kind == kind]
                w.write(f"nodes=Organisation:{kind.label}", f"organisation_{kind}", columns, group)
        else:
            w.write(f"nodes={NODE_LABELS[entity]}", entity, columns, rows)
    schemes = [model.Recognition("", s) for s in sorted({r.scheme for r in batch.recognitions})]
    w.write("nodes=Scheme", "scheme", _Columns(("scheme",), ["name:ID(scheme)"]), schemes)
    for edge_field, spec in EDGES.items():
        rows = _last_per_key(_rows_of(batch, edge_field), spec.key)
        row_type = EDGE_ROW_TYPES.get(edge_field) or ROW_TYPES[edge_field]
        (sf, se), (ef, ee) = spec.start, spec.end
        header = [f":START_ID({se})", f":END_ID({ee})"]
        header += [p + _type_suffix(row_type, p) for p in spec.props]
        columns = _Columns((sf, ef, *spec.props), header)
        w.write(f"relationships={spec.type}", edge_field, columns, rows)
    w.write(
        "relationships=RECOGNISES",
        "recognitions",
        _Columns(("member", "scheme"), [":START_ID(organisation)", ":END_ID(scheme)"]),
        _last_per_key(batch.recognitions, ("member", "scheme")),
    )
    w.files.args = [
        f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}",
        f"--multiline-fields={'true' if w.multiline else 'false'}",
        "--high-parallel-io=on",
        *w.files.args,
    ]
    (folder / ARGS_FILE).write_text("\n".join(w.files.args) + "\n", encoding="utf-8")
    return w.files


def launcher_command() -> list[str]:
    """The importer from the jars scripts/neo4j fetched (`scripts/setup.sh`)."""
    classes, lib = LAUNCHER_DIR / "classes", LAUNCHER_DIR / "lib"
    if not lib.is_dir():
        raise ImportFailed(f"{lib} is missing: run scripts/setup.sh (it fetches Neo4j's jars)")
    heap = os.environ.get("TIERGRAPH_IMPORT_HEAP", "2g")
    return ["java", f"-Xmx{heap}", "-cp", f"{classes}:{lib}/*", "org.neo4j.cli.AdminTool"]


@dataclass
class ImportRun:
    seconds: float
    output: str


def run_import(
    files: ImportFiles,
    home: Path,
    database: str = "neo4j",
    replace: bool = False,
    neo4j_admin: str | None = None,
    on_output: Callable[[str], None] | None = None,
) -> ImportRun:
    """Run the importer on the Neo4j home `home` (whose server must be stopped).
    Without `replace` the importer refuses a database that exists already."""
    command = [neo4j_admin] if neo4j_admin else launcher_command()
    command += ["database", "import", "full", database, f"@{ARGS_FILE}"]
    if replace:
        command.append("--overwrite-destination")
    home = home.resolve()
    (home / "conf").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(home / "conf"))
    started = time.perf_counter()
    lines: list[str] = []
    with subprocess.Popen(
        command,
        cwd=files.folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if on_output:
                on_output(line.rstrip("\n"))
    output = "".join(lines)
    if proc.returncode != 0:
        raise ImportFailed(_reason(output) or f"the importer exited with {proc.returncode}")
    return ImportRun(time.perf_counter() - started, output)


def _reason(output: str) -> str:
    """The importer's own error lines, without its progress dots and stack traces."""
    lines = [ln.strip() for ln in output.splitlines()]
    wanted = [
        ln
        for ln in lines
        if ln and not ln.startswith(("at ", "...", ".")) and "%" not in ln and "∆" not in ln
    ]
    errors = [ln for ln in wanted if "rror" in ln or "exist" in ln or "in use" in ln]
    return "\n".join((errors or wanted)[-6:])
