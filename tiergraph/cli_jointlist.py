"""`tiergraph joint-list`: the forum's joint audited supplier list on a day."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Column, Table

from exports.spreadsheet import cells
from tiergraph.cli_cascade import AsOfOpt, open_store, parse_day
from tiergraph.console import emit_json, out


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


ListFormatOpt = Annotated[
    ListFormat,
    typer.Option("--format", "-f", help="table, json (stable shape) or csv (one row per supplier)"),
]
CSV_COLUMNS = ("id", "name", "country", "audits", "open_critical_finding", "networks")


def joint_list(as_of: AsOfOpt = None, fmt: ListFormatOpt = ListFormat.table) -> None:
    """Consenting suppliers with an audit valid on the day: schemes and validity, open
    critical findings yes/no, and how many members' networks hold them (a band)."""
    from jointlist.listing import joint_list_on

    day = parse_day(as_of)
    store = open_store()
    try:
        entries = joint_list_on(store, day)
    finally:
        store.close()
    if fmt == ListFormat.json:
        emit_json({"as_of": day.isoformat(), "entries": [e.as_dict() for e in entries]})
        return
    rows = [
        (
            e.id,
            e.name,
            e.country,
            "; ".join(f"{a.scheme} until {a.valid_until.isoformat()}" for a in e.audits),
            "yes" if e.open_critical_finding else "no",
            e.networks.value,
        )
        for e in entries
    ]
    if fmt == ListFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(cells(row) for row in rows)
        return
    # The ids are what a user copies: never cut, whatever the terminal's width.
    widest = max((len(row[0]) for row in rows), default=8)
    supplier = Column("supplier", no_wrap=True, min_width=widest)
    table = Table(supplier, "name", "country", "valid audits", "open critical", "networks")
    for row in rows:
        table.add_row(*row)
    out.print(f"[bold]joint audited supplier list[/bold] on {day.isoformat()}: {len(rows):,}")
    out.print(table)
