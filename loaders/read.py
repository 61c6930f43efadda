"""Files in: CSV and JSON files (and folders of them) as located raw rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders.rows import COLUMNS, KINDS, REQUIRED_COLUMNS

SUFFIXES = (".csv", ".json")


FOLLOWS_REJECTED = " (its row was rejected)"  # the end of a problem that follows another
FOLLOWS_HELD = " (its row waits for your decision)"  # ... that follows a row held back by --match


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input: where, which field, why."""

    file: str
    line: int | None  # CSV: the line in the file; JSON: the row number in its list
    field: str | None
    reason: str
    json_row: bool = False

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":row {self.line}" if self.json_row else f":{self.line}"
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "reason": self.reason}

    @property
    def follows_another(self) -> bool:
        """Rejected only because a row it refers to was (fix that one first)."""
        return self.reason.endswith((FOLLOWS_REJECTED, FOLLOWS_HELD))


@dataclass(frozen=True, slots=True)
class RawRow:
    kind: str
    file: str
    line: int
    data: dict[str, Any]
    json_row: bool = False

    def problem(self, field: str | None, reason: str) -> Problem:
        return Problem(self.file, self.line, field, reason, self.json_row)


class FileProblem(Exception):
    """A file refused whole: why, and the problems of the rows that showed it."""

    def __init__(self, problem: Problem, rows: list[Problem] | None = None):
        self.problem = problem
        self.rows = rows or []
        super().__init__(str(problem))


def expand(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Files named, and the .csv/.json files inside folders named (sorted); then
    the other files in those folders (hidden files and subfolders are not read)."""
    files: list[Path] = []
    others: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            files.extend(p for p in inside if p.suffix.lower() in SUFFIXES)
            others.extend(p for p in inside if p.suffix.lower() not in SUFFIXES)
        else:
            files.append(path)
    return files, others


def kind_of(path: Path) -> str | None:
    """The kind a file's name starts with (longest match), or None for a bundle."""
    stem = path.stem.lower()
    matches = [k for k in KINDS if stem == k or stem.startswith((k + "-", k + "_", k + "."))]
    return max(matches, key=len) if matches else None


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileProblem(Problem(str(path), None, None, f"cannot read: {exc.strerror}")) from None
    if (nul := data.find(b"\0")) >= 0:  # no text format holds one: refused before parsing
        line = data.count(b"\n", 0, nul) + 1
        reason = f"a binary file, not text (a NUL byte at offset {nul}): not a CSV or JSON file"
        raise FileProblem(Problem(str(path), line, None, reason))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = (
            f"file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8"
        )
        raise FileProblem(Problem(str(path), line, None, reason)) from None


def read_file(path: Path) -> Iterator[RawRow]:
    """The rows of one file; raises FileProblem when the file as a whole is unusable."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileProblem(Problem(name, None, None, "not a .csv or .json file"))
    kind = kind_of(path)
    text = _text(path)
    if suffix == ".csv":
        if kind is None:
            raise FileProblem(
                Problem(
                    name, None, None, f"file name does not start with a kind ({', '.join(KINDS)})"
                )
            )
        yield from _read_csv(name, kind, text)
    else:
        yield from _read_json(name, kind, text)


def _read_csv(name: str, kind: str, text: str) -> Iterator[RawRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from _csv_rows(name, kind, reader)
    except csv.Error as exc:
        raise FileProblem(Problem(name, reader.line_num, None, f"not CSV: {exc}")) from None


def _csv_rows(name: str, kind: str, reader: Any) -> Iterator[RawRow]:
    header = [h.strip() for h in next(reader, [])]
    if not header or header == [""]:
        raise FileProblem(Problem(name, 1, None, "empty file: no header line"))
    unknown = [h for h in header if h not in COLUMNS[kind]]
    if unknown:
        raise FileProblem(
            Problem(
                name,
                1,
                unknown[0],
                f"unknown column for {kind} (columns: {', '.join(COLUMNS[kind])})",
            )
        )
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in header]
    if missing:
        raise FileProblem(Problem(name, 1, missing[0], f"required column missing for {kind}"))
    line = reader.line_num
    for values in reader:
        start, line = line + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) != len(header):
            yield RawRow(
                kind, name, start, {"__shape__": f"{len(values)} values for {len(header)} columns"}
            )
            continue
        yield RawRow(
            kind,
            name,
            start,
            {
                h: v
                for h, v in zip(header, values, strict=True)
                if v.strip() or h in REQUIRED_COLUMNS[kind]
            },
        )


def _read_json(name: str, kind: str | None, text: str) -> Iterator[RawRow]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(Problem(name, exc.lineno, None, f"not valid JSON: {exc.msg}")) from None
    if kind is not None:
        sections = {kind: data}
    elif isinstance(data, dict):
        sections = {k: v for k, v in data.items() if k not in ("format", "extra")}
        if "graph" in data and isinstance(data["graph"], dict):  # the embedded store's file
            sections = data["graph"]
    else:
        raise FileProblem(
            Problem(
                name,
                None,
                None,
                "a JSON file whose name starts with no kind must be an object "
                f"of kinds ({', '.join(KINDS)})",
            )
        )
    for section, rows in sections.items():
        where = name if kind is not None else f"{name}[{section}]"
        if section not in KINDS:
            raise FileProblem(
                Problem(name, None, section, f"unknown kind (kinds: {', '.join(KINDS)})")
            )
        if not isinstance(rows, list):
            raise FileProblem(Problem(name, None, section, "must be a list of rows"))
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                row = {"__shape__": "a row must be an object"}
            yield RawRow(section, where, number, row, json_row=True)
