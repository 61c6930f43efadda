"""`tiergraph risk import` and `tiergraph risk show`: network risk (docs/risk.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tiergraph.cli_cascade import AsOfOpt, MemberOpt, open_store, parse_day
from tiergraph.console import BAD_ROWS, CliError, Format, FormatOpt, emit_json, err, fail, out
from tiergraph.members import LISTED_AT_MOST, require_member

risk_app = typer.Typer(
    help="Network risk: import its tables, show a member's.", no_args_is_help=True
)


def import_tables(
    goods: Annotated[
        Path | None, typer.Option("--goods", help="ILAB's goods list (CSV, ILAB's columns)")
    ] = None,
    countries: Annotated[
        Path | None,
        typer.Option(
            "--countries",
            help="country governance: the World Bank's `Country/Territory,<year>` CSV, or "
            "`country,score` (0..1, higher is better governed)",
        ),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="where the table comes from (kept with it)")
    ] = None,
    edition: Annotated[
        str | None, typer.Option("--edition", help="its edition (default: the file's year)")
    ] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option("--skip", help="a country name of the file to leave out (repeatable)"),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Import a risk table; it replaces the previous table of its kind. Nothing is
    imported until every country name maps (or is named with --skip)."""
    from risk.importers import ImportFailed, import_table
    from risk.tables import COUNTRIES, GOODS

    if (goods is None) == (countries is None):
        fail("give exactly one of --goods FILE or --countries FILE", field="--goods")
    kind, path = (GOODS, goods) if goods is not None else (COUNTRIES, countries)
    assert path is not None
    store = open_store(create=True)
    try:
        report = import_table(
            store, path, kind, source=source, edition=edition, skip=tuple(skip or ())
        )
    except ImportFailed as exc:
        if fmt == Format.json:
            emit_json(exc.report.as_dict())
            raise typer.Exit(BAD_ROWS) from None
        _print_problems(exc.report.as_dict())
        raise CliError(
            f"{kind} table not imported: fix the rows above, or name a country with --skip",
            code="bad_rows",
            exit=BAD_ROWS,
        ) from None
    finally:
        store.close()
    payload = report.as_dict()
    if fmt == Format.json:
        emit_json(payload)
        return
    out.print(
        f"[bold]{kind}[/bold] table imported: {payload['rows']} rows, "
        f"{payload['countries']} countries; {payload['source']}, edition {payload['edition']}, "
        f"on {payload['imported']}"
    )
    if payload["replaced"]:
        r = payload["replaced"]
        out.print(f"replaced: {r['source']}, edition {r['edition']}, imported {r['imported']}")
    for s in payload["skipped"]:
        out.print(f"skipped row {s['row']} {s['name']!r}: {s['reason']}")
    for name in payload["unused_skips"]:
        err.print(f"--skip {name!r}: no row of the file names it")


def _print_problems(payload: dict[str, Any]) -> None:
    for u in payload["unmapped"]:
        err.print(f"row {u['row']}: unknown country {u['name']!r}")
    for e in payload["errors"]:
        err.print(f"row {e['row']}, {e['field']}: {e['message']}")


def show(
    member: MemberOpt,
    as_of: AsOfOpt = None,
    top: Annotated[
        int, typer.Option("--top", min=1, max=LISTED_AT_MOST, help="how many nodes, riskiest first")
    ] = 20,
    fmt: FormatOpt = Format.table,
) -> None:
    """A member's network risk on a day: the riskiest nodes with every component, the
    weights used and the versions of the tables."""
    from access.errors import ServiceError
    from access.principal import Principal, Role
    from risk.service import member_risk_report
    from tiergraph.console import people_table

    day = parse_day(as_of)
    store = open_store()
    try:
        require_member(store, member)
        # The CLI reads the store directly, as an analyst of the member would.
        principal = Principal(Role.ANALYST, member, "cli")
        report = member_risk_report(principal=principal, store=store, as_of=day, top=top)
    except ServiceError as exc:  # a weights or alias file comes as BadSetting, naming it
        fail(str(exc), code=exc.code.lower(), field=getattr(exc, "variable", None))
    finally:
        store.close()
    payload = report.as_dict()
    if fmt == Format.json:
        emit_json(payload)
        return
    weights = ", ".join(f"{c} {w:.3f}" for c, w in payload["weights"].items() if w)
    out.print(
        f"[bold]risk of {payload['member']}[/bold] on {payload['as_of']}: "
        f"{payload['network']:,} nodes; weights {weights}; decay {payload['decay']}"
    )
    for a in payload["absent"]:
        out.print(f"absent: {a['component']} ({a['reason']}); the others reweighted")
    for t in payload["tables"]:
        out.print(f"{t['kind']}: {t['source']}, edition {t['edition']}, imported {t['imported']}")
    names = list(payload["weights"])
    columns = ("node", "tier", "country", "score", *(c[:5] for c in names))
    table = people_table(*columns, right=columns[1:2] + columns[3:], whole=("node",))
    for n in payload["nodes"]:
        cells = ["-" if (v := n["components"][c]) is None else f"{v:.2f}" for c in names]
        country = n["country"] + (" (worst)" if n["country_fallback"] else "")
        table.add_row(n["id"], str(n["tier"]), country, f"{n['score']:.1f}", *cells)
    out.print(table)


risk_app.command("import")(import_tables)
risk_app.command("show")(show)
