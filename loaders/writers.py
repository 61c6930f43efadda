"""A GraphBatch out as files in the load formats (docs/formats.md), streamed
row by row so a million-organisation batch never becomes one big string."""

from __future__ import annotations

import csv
import dataclasses
import json
import typing
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any

from graph.codec import ROW_TYPES
from graph.model import BATCH_FIELDS, GraphBatch

Progress = Callable[[str, int], None]
"""Told `(kind, rows)` after each chunk: how many rows of `kind` were just written."""

CHUNK = 10_000


def columns(kind: str) -> list[str]:
    """The columns of a kind's file: the row dataclass's fields, in order."""
    return [f.name for f in dataclasses.fields(ROW_TYPES[kind])]


def write_csv_dir(
    batch: GraphBatch, out_dir: Path, *, progress: Progress | None = None
) -> list[Path]:
    """One `<kind>.csv` per kind that has rows; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in BATCH_FIELDS:
        rows = getattr(batch, kind)
        if not rows:
            continue
        path = out_dir / f"{kind}.csv"
        names = columns(kind)
        cells = _cells(ROW_TYPES[kind], names)
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(names)
            for chunk in _chunks(rows):
                writer.writerows(map(cells, chunk))
                if progress:
                    progress(kind, len(chunk))
        written.append(path)
    return written


def write_json_bundle(
    batch: GraphBatch,
    path: Path,
    *,
    progress: Progress | None = None,
    beside: dict[str, list[dict[str, Any]]] | None = None,
) -> Path:
    """One JSON object {kind: [rows]}, exactly what `graph.codec.batch_to_dict`
    gives (a bundle, so the file name must not start with a kind), then the kinds
    kept beside the graph (`beside`: kind -> rows, loaders.beside) when given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    encode = json.JSONEncoder(ensure_ascii=False).encode
    with path.open("w", encoding="utf-8") as fh:
        fh.write("{")
        for k, kind in enumerate(BATCH_FIELDS):
            fh.write(f"{',' if k else ''}\n{encode(kind)}: [")
            rows = getattr(batch, kind)
            as_dict = _json_row(ROW_TYPES[kind])
            for start, chunk in enumerate(_chunks(rows)):
                # one encode call per chunk: per-row calls would double the time
                fh.write(("," if start else "") + "\n" + encode(list(map(as_dict, chunk)))[1:-1])
                if progress:
                    progress(kind, len(chunk))
            fh.write("\n]" if rows else "]")
        for kind, extra in (beside or {}).items():
            fh.write(f",\n{encode(kind)}: {encode(extra)}")
        fh.write("\n}\n")
    return path


def _chunks(rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _cells(cls: type, names: list[str]) -> Callable[[Any], Sequence[Any]]:
    """Row -> CSV cells. csv already writes None as empty, dates as ISO days
    (str) and enums as their value; booleans and lists need spelling out."""
    get = attrgetter(*names)
    hints = typing.get_type_hints(cls)
    fixes: list[tuple[int, Callable[[Any], str]]] = []
    for i, name in enumerate(names):
        hint = hints[name]
        if hint is bool:
            fixes.append((i, _flag))
        elif typing.get_origin(hint) is tuple:
            fixes.append((i, ";".join))
    if not fixes:
        return get

    def cells(row: Any) -> list[Any]:
        values = list(get(row))
        for i, fix in fixes:
            values[i] = fix(values[i])
        return values

    return cells


def _json_row(cls: type) -> Callable[[Any], dict[str, Any]]:
    """Row -> the dict `graph.codec.row_to_dict` makes, built column-wise: JSON
    already writes enums as their value and tuples as lists; days need ISO text."""
    names = [f.name for f in dataclasses.fields(cls)]
    get = attrgetter(*names)
    hints = typing.get_type_hints(cls)
    days = [n for n in names if date in (typing.get_args(hints[n]) or (hints[n],))]

    def as_dict(row: Any) -> dict[str, Any]:
        values = dict(zip(names, get(row), strict=True))
        for name in days:
            if values[name] is not None:
                values[name] = values[name].isoformat()
        return values

    return as_dict


def _flag(value: bool) -> str:
    return "true" if value else "false"
