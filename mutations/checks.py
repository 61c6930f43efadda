"""A mutation's input validated as the loaders validate a row (loaders.rows): the
same rules and messages, the error naming the API's field."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ValidationError

from access.errors import BadUserInput
from loaders.read import RawRow
from loaders.rows import parse_row
from loaders.validate import parse_problems


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def row(
    kind: str, values: dict[str, Any], *, where: str, fields: dict[str, str] | None = None
) -> Any:
    """Parse `values` as one row of `kind` (loaders.rows); a problem becomes a
    BadUserInput naming `where.<field>` (the API's camelCase name, or `fields`'s)."""
    try:
        return parse_row(kind, {k: v for k, v in values.items() if v is not None}, date.today())
    except ValidationError as exc:  # the loaders' own reading of the error, first problem
        problem = parse_problems(RawRow(kind, where, 0, values), exc)[0]
        name = problem.field
        shown = (fields or {}).get(name, camel(name)) if name else None
        reason = api_names(problem.reason, values, fields)
        raise BadUserInput(f"{where}.{shown}" if shown else where, reason) from None


def api_names(reason: str, values: dict[str, Any], fields: dict[str, str] | None) -> str:
    """The loaders' reason with the row's other columns named as the API names them
    ("precedes audit_date" -> "precedes auditDate"): a caller of the API never sees
    a file's column names."""
    for column in sorted(values, key=len, reverse=True):
        shown = (fields or {}).get(column, camel(column))
        if shown != column:
            reason = re.sub(rf"\b{re.escape(column)}\b", shown, reason)
    return reason


def text(value: str | None, field: str, *, required: bool = True, longest: int = 500) -> str | None:
    """A trimmed free text (a scheme, a reason, evidence)."""
    if value is None or not value.strip():
        if required:
            raise BadUserInput(field, "must not be empty")
        return None
    value = value.strip()
    if len(value) > longest:
        raise BadUserInput(field, f"at most {longest} characters")
    return value


def storable(value: Any, field: str) -> None:
    """Every string in `value` (an argument, or a dict or list of them) can be stored
    and looked up as it is: no NUL (SQLite's JSON functions end a string there, so
    "S2\\u0000" would look up "S2") and no lone surrogate (not UTF-8: neither store
    takes it). Else a BadUserInput naming the field (`field.name`, `field[0]`)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise BadUserInput(field, "must not hold a NUL character (\\u0000)")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadUserInput(field, "is not Unicode text (a lone surrogate)") from None
    elif isinstance(value, dict):
        for name, item in value.items():
            storable(item, f"{field}.{camel(name)}")
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):  # from 0, as GraphQL's own paths count
            storable(item, f"{field}[{n}]")
