"""Risk table importers: ILAB's goods list, the World Bank's governance table, and
a plain `country,score` CSV for any other index (docs/risk.md, "Importers").

A file is read whole and checked before anything is written: every country name
must map to ISO 3166-1 alpha-2 or be named with --skip, every value must parse;
otherwise the answer lists every problem with its row (the file's line, the
header being row 1) and nothing is imported. A table replaces the one of its
kind in one transaction.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from graph.store import GraphStore, RiskTableRecord
from risk.countries import country_code, is_aggregate
from risk.tables import COUNTRIES, GOODS, version_of

ILAB_SOURCE = "US DoL ILAB List of Goods Produced by Child Labor or Forced Labor"
WGI_SOURCE = "World Bank Worldwide Governance Indicators (mean of the six, rescaled to 0..1)"
GOODS_COLUMNS = ("good", "country", "child_labor", "forced_labor", "forced_child_labor")
DERIVED_COLUMN = "derived_labor_exploitation"
YES = {"yes", "y", "x", "true", "1"}
NO = {"no", "n", "", "false", "0"}
MISSING = {"", "..", "n/a", "na", "#n/a"}  # the World Bank writes ".." for no value


class ImportFailed(Exception):
    """The file cannot be imported; `report` lists every problem."""

    def __init__(self, report: ImportReport):
        super().__init__(report.summary())
        self.report = report


@dataclass
class ImportReport:
    kind: str
    file: str
    format: str = ""
    source: str = ""
    edition: str = ""
    imported: date | None = None
    rows: int = 0
    countries: int = 0
    unmapped: list[dict[str, Any]] = field(default_factory=list)  # {row, name}
    skipped: list[dict[str, Any]] = field(default_factory=list)  # {row, name, reason}
    errors: list[dict[str, Any]] = field(default_factory=list)  # {row, field, message}
    unused_skips: list[str] = field(default_factory=list)
    replaced: dict[str, Any] | None = None  # the version of the table replaced

    @property
    def ok(self) -> bool:
        return not self.unmapped and not self.errors

    def summary(self) -> str:
        if self.ok:
            return f"{self.kind}: {self.rows} rows ready"
        parts = [f"row {u['row']}: unknown country {u['name']!r}" for u in self.unmapped]
        parts += [f"row {e['row']}, {e['field']}: {e['message']}" for e in self.errors]
        return f"{self.kind} table not imported: " + "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape (docs/cli.md, `risk import`)."""
        return {
            "kind": self.kind,
            "file": self.file,
            "format": self.format,
            "source": self.source,
            "edition": self.edition,
            "imported": self.imported.isoformat() if self.imported else None,
            "rows": self.rows,
            "countries": self.countries,
            "unmapped": self.unmapped,
            "skipped": self.skipped,
            "errors": self.errors,
            "unused_skips": self.unused_skips,
            "replaced": self.replaced,
        }


def header_key(name: str) -> str:
    """'Child Labor' -> 'child_labor', 'Country/Territory' -> 'country_territory'."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower().lstrip("\ufeff")).strip("_")


def import_table(
    store: GraphStore,
    path: Path,
    kind: str,
    *,
    source: str | None = None,
    edition: str | None = None,
    skip: tuple[str, ...] = (),
    today: date | None = None,
) -> ImportReport:
    """Check `path` as a table of `kind` and, when every row is good, keep it in the
    store in place of the previous one; ImportFailed (with the report) otherwise."""
    report = ImportReport(kind, str(path))
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as exc:
        report.errors.append({"row": 0, "field": "file", "message": str(exc)})
        raise ImportFailed(report) from None
    if not rows:
        report.errors.append({"row": 1, "field": "header", "message": "the file is empty"})
        raise ImportFailed(report)
    header = [header_key(h) for h in rows[0]]
    body = list(enumerate(rows[1:], start=2))
    skips = {s.strip().casefold(): s for s in skip}
    used: set[str] = set()
    if kind == GOODS:
        table = _goods(report, header, body, skips, used)
    else:
        table = _countries(report, header, body, skips, used)
    report.unused_skips = sorted(s for k, s in skips.items() if k not in used)
    report.source = source or report.source
    report.edition = edition or report.edition or _year_in(path.name)
    if not report.edition:
        report.errors.append(
            {"row": 0, "field": "edition", "message": "no year in the file: give --edition"}
        )
    if not report.source:
        report.source = path.name
    if not report.ok:
        raise ImportFailed(report)
    report.imported = today or date.today()
    record = RiskTableRecord(
        kind, report.source, report.edition, report.imported.isoformat(), table
    )
    previous = {r.kind: r for r in store.risk_tables()}.get(kind)
    report.replaced = version_of(previous).as_dict() if previous else None
    store.save_risk_table(record)
    report.rows = len(table)
    report.countries = len({r[0] if kind == COUNTRIES else r[2] for r in table})
    return report


def _year_in(name: str) -> str:
    found = re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", name)
    return found[-1] if found else ""


def _map(
    report: ImportReport,
    row: int,
    name: str,
    skips: dict[str, str],
    used: set[str],
    aggregates: bool,
) -> str | None:
    """The code of a row's country, or None (the row is skipped or unmapped)."""
    key = name.strip().casefold()
    if key in skips:
        used.add(key)
        report.skipped.append({"row": row, "name": name, "reason": "named with --skip"})
        return None
    code = country_code(name)
    if code is not None:
        return code
    if aggregates and is_aggregate(name):
        report.skipped.append({"row": row, "name": name, "reason": "an aggregate, not a country"})
        return None
    report.unmapped.append({"row": row, "name": name})
    return None


def _flag(report: ImportReport, row: int, column: str, value: str) -> bool:
    folded = value.strip().casefold()
    if folded in YES:
        return True
    if folded not in NO:
        report.errors.append(
            {"row": row, "field": column, "message": f"{value!r} is not Yes or No"}
        )
    return False


def _goods(
    report: ImportReport,
    header: list[str],
    body: list[tuple[int, list[str]]],
    skips: dict[str, str],
    used: set[str],
) -> list[list[Any]]:
    report.format = "ilab"
    report.source = ILAB_SOURCE
    missing = [c for c in GOODS_COLUMNS if c not in header]
    if missing:
        report.errors.append(
            {"row": 1, "field": "header", "message": f"missing column(s) {', '.join(missing)}"}
        )
        return []
    at = {name: i for i, name in enumerate(header)}
    out: list[list[Any]] = []
    for row, cells in body:
        if not any(c.strip() for c in cells):
            continue
        cell = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
        good, name = cell["good"].strip(), cell["country"].strip()
        if not good:
            report.errors.append({"row": row, "field": "good", "message": "empty"})
        code = _map(report, row, name, skips, used, aggregates=False)
        flags = [_flag(report, row, c, cell[c]) for c in GOODS_COLUMNS[2:]]
        derived = (
            _flag(report, row, DERIVED_COLUMN, cell[DERIVED_COLUMN])
            if DERIVED_COLUMN in at
            else False
        )
        if code is not None and good:
            out.append([good, cell.get("sector", "").strip(), code, name, *flags, derived])
    return out


def _countries(
    report: ImportReport,
    header: list[str],
    body: list[tuple[int, list[str]]],
    skips: dict[str, str],
    used: set[str],
) -> list[list[Any]]:
    years = [i for i, h in enumerate(header) if re.fullmatch(r"(19|20)\d\d", h)]
    if "country" in header and "score" in header:
        report.format = "plain"
        name_at, score_at = header.index("country"), header.index("score")
    elif years and header and header[0].startswith("country"):
        report.format = "wgi"
        report.source = WGI_SOURCE
        name_at, score_at = 0, max(years, key=lambda i: header[i])  # the latest year
        report.edition = header[score_at]
    else:
        report.errors.append(
            {
                "row": 1,
                "field": "header",
                "message": "expected `country,score` or the World Bank's "
                "`Country/Territory,<year>` columns",
            }
        )
        return []
    out: list[list[Any]] = []
    seen: dict[str, int] = {}
    for row, cells in body:
        if not any(c.strip() for c in cells):
            continue
        name = cells[name_at].strip() if name_at < len(cells) else ""
        raw = cells[score_at].strip() if score_at < len(cells) else ""
        code = _map(report, row, name, skips, used, aggregates=report.format == "wgi")
        if code is None:
            continue
        if raw.casefold() in MISSING:
            report.skipped.append({"row": row, "name": name, "reason": "no score"})
            continue
        try:
            score = float(raw)
        except ValueError:
            score = float("nan")
        if not 0 <= score <= 1:
            report.errors.append(
                {"row": row, "field": "score", "message": f"{raw!r} is not a number in 0..1"}
            )
            continue
        if code in seen:
            report.errors.append(
                {
                    "row": row,
                    "field": "country",
                    "message": f"{name!r} is {code}, as row {seen[code]} already is",
                }
            )
            continue
        seen[code] = row
        out.append([code, score, name])
    return out
