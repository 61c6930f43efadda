"""`tiergraph keys`: make, list and revoke API keys (docs/api.md, "Authentication").

A key is printed once, when it is made; the store keeps only its hash.
"""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

import typer

from access.keys import KeyRefused, create_key, revoke_key
from access.principal import Role
from graph.store import GraphStore, KeyRecord
from tiergraph.console import Format, FormatOpt, emit_json, err, fail, out, people_table
from tiergraph.members import require_member
from tiergraph.stores import open_store

keys_app = typer.Typer(
    help="API keys: each names one organisation and role; shown once, kept as a hash.",
    no_args_is_help=True,
)

ROLES = ", ".join(role.value for role in Role)


def record_json(record: KeyRecord) -> dict[str, Any]:
    """A key's record as `--format json` shows it: never the hash, never the key."""
    return {
        "id": record.id,
        "role": record.role,
        "organisation": record.organisation,
        "label": record.label,
        "created_at": record.created_at,
        "revoked_at": record.revoked_at,
    }


def refuse(message: str) -> NoReturn:
    """One line on stderr (a JSON error with --format json), exit 2."""
    fail(message)


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        fail(f"--role must be one of {ROLES}, not {value!r}", code="bad_parameter", field="--role")


@keys_app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help=f"one of {ROLES}")],
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            help="the organisation it acts as (a member for sourcing/analyst; none for operator)",
        ),
    ] = None,
    label: Annotated[str | None, typer.Option("--label", help="who or what it is for")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Make a key and print it, once. In table format the key alone goes to
    stdout (`KEY=$(tiergraph keys create ...)` works), the rest to stderr."""
    chosen = parse_role(role)
    # Only an operator key may make the store: a key naming an organisation needs a
    # store that holds it (and a refused key leaves no empty store behind).
    store = open_store(create=org is None)
    try:
        if chosen.needs_member and org is not None:
            require_member(store, org, field="--org")
        record, key = create_key(store, role=chosen, organisation=org, label=label)
    except KeyRefused as exc:
        fail(str(exc), field="--org")  # every refusal of a new key is about --org
    finally:
        store.close()
    if fmt == Format.json:
        emit_json({"key": key, "record": record_json(record)})
        return
    err.print(
        f"made key {record.id} ({record.role}"
        + (f" of {record.organisation}" if record.organisation else "")
        + "); it is shown this once, keep it now:",
        highlight=False,
        soft_wrap=True,  # one line, whatever the terminal's width (80 when piped)
    )
    out.print(key, highlight=False, markup=False, soft_wrap=True)


@keys_app.command("list")
def list_keys(fmt: FormatOpt = Format.table) -> None:
    """Every key's record, oldest first (never a key or its hash)."""
    store = open_store()
    try:
        records = store.keys()
    finally:
        store.close()
    if fmt == Format.json:
        emit_json({"keys": [record_json(record) for record in records]})
        return
    if not records:
        out.print("no API keys yet: make one with tiergraph keys create --role ROLE [--org ID]")
        return
    columns = ("id", "role", "organisation", "label", "created", "revoked")
    table = people_table(*columns, whole=("id", "role", "organisation", "created", "revoked"))
    for r in records:
        table.add_row(
            r.id,
            r.role,
            r.organisation or "-",
            r.label or "",
            day(r.created_at),
            day(r.revoked_at or ""),
        )
    out.print(table)


def day(stamp: str) -> str:
    """A record's day, for a table of 80 columns (JSON keeps the time whole)."""
    return stamp[:10]


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="the key's id (`keys list`), not the key")],
    fmt: FormatOpt = Format.table,
) -> None:
    """Refuse the key from the next request on (revoking twice changes nothing)."""
    store = open_store()
    try:
        record = revoke_key(store, key_id)
    except KeyRefused as exc:
        refuse(str(exc))
    finally:
        store.close()
    if fmt == Format.json:
        emit_json(record_json(record))
    else:
        out.print(f"key {record.id} revoked at {record.revoked_at}", highlight=False)


DEMO_ROLES = (Role.SOURCING, Role.ANALYST, Role.SUPPLIER)
DEMO_LABEL = "demo"  # the label of the keys `tiergraph demo` makes (and revokes when run again)


def demo_keys(store: GraphStore, *, member: str, supplier: str) -> list[tuple[KeyRecord, str]]:
    """One key for each of a member's sourcing team and analysts and for a
    supplier (for `tiergraph demo`): (record, key), in that order."""
    organisations = {Role.SOURCING: member, Role.ANALYST: member, Role.SUPPLIER: supplier}
    return [
        create_key(store, role=role, organisation=organisations[role], label=DEMO_LABEL)
        for role in DEMO_ROLES
    ]


def print_demo_keys(made: list[tuple[KeyRecord, str]], url: str) -> None:
    """The keys `demo_keys` made, and where to put one in GraphiQL."""
    for record, key in made:  # whole lines, never a table cell that could cut a key
        out.print(f"  {record.role:<9} {record.organisation or '-':<14} {key}", soft_wrap=True)
    out.print(
        f'in GraphiQL ({url}) put {{"Authorization": "Bearer <key>"}} in the Headers pane',
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
