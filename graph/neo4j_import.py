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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
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
    if typing.get_origin(hint) is tuple:
        return ":string[]"
    return ""


def _cell(value: Any) -> Any:
    if value is None:
        return ""  # an empty unquoted field: no property, as the online write stores None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ARRAY_DELIMITER.join(value)
    return value


class _Writer:
    def __init__(self, folder: Path, progress: Callable[[int], None] | None):
        self.files = ImportFiles(folder)
        self.progress = progress
        self.multiline = False  # a value spans lines: the importer must be told (it is slower)

    def write(self, option: str, name: str, header: list[str], rows: Iterable[tuple]) -> None:
        path = self.files.folder / f"{name}.csv"
        count = 0
        with path.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(header)
            for chunk in _batched(rows, 10_000):
                cells = [[_cell(v) for v in row] for row in chunk]
                if not self.multiline:
                    self.multiline = any(
                        isinstance(v, str) and ("\n" in v or "\r" in v)
                        for row in cells
                        for v in row
                    )
                out.writerows(cells)
                count += len(chunk)
                if self.progress:
                    self.progress(len(chunk))
        if not count:
            path.unlink()
            return
        self.files.args.append(f"--{option}={path.name}")
        if option.startswith("nodes"):
            self.files.nodes += count
        else:
            self.files.relationships += count


def _batched(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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
        if entity == "organisation":
            for kind in Kind:
                group = (tuple(getattr(r, f) for f in fields) for r in rows if r.kind == kind)
                w.write(f"nodes=Organisation:{kind.label}", f"organisation_{kind}", header, group)
        else:
            group = (tuple(getattr(r, f) for f in fields) for r in rows)
            w.write(f"nodes={NODE_LABELS[entity]}", entity, header, group)
    schemes = sorted({r.scheme for r in batch.recognitions})
    w.write("nodes=Scheme", "scheme", ["name:ID(scheme)"], ((s,) for s in schemes))
    for edge_field, spec in EDGES.items():
        rows = _last_per_key(_rows_of(batch, edge_field), spec.key)
        row_type = EDGE_ROW_TYPES.get(edge_field) or ROW_TYPES[edge_field]
        (sf, se), (ef, ee) = spec.start, spec.end
        header = [f":START_ID({se})", f":END_ID({ee})"]
        header += [p + _type_suffix(row_type, p) for p in spec.props]
        edges = (
            (getattr(r, sf), getattr(r, ef), *(getattr(r, p) for p in spec.props)) for r in rows
        )
        w.write(f"relationships={spec.type}", edge_field, header, edges)
    recognitions = _last_per_key(batch.recognitions, ("member", "scheme"))
    w.write(
        "relationships=RECOGNISES",
        "recognitions",
        [":START_ID(organisation)", ":END_ID(scheme)"],
        ((r.member, r.scheme) for r in recognitions),
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
