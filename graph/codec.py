"""GraphBatch <-> plain JSON-ready dicts (ISO dates), for trusted data we wrote.

Untrusted input goes through `loaders.rows`, which validates every field.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from enum import StrEnum
from functools import cache
from typing import Any

from graph import model
from graph.model import BATCH_FIELDS, GraphBatch

ROW_TYPES: dict[str, type] = {
    "organisations": model.Organisation,
    "requirements": model.Requirement,
    "requires": model.Requires,
    "sourcing": model.Sourcing,
    "pass_on": model.PassOn,
    "adoptions": model.Adoption,
    "audits": model.Audit,
    "findings": model.Finding,
    "shares": model.Share,
    "recognitions": model.Recognition,
}


def _encode(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def row_to_dict(row: Any) -> dict[str, Any]:
    return {f.name: _encode(getattr(row, f.name)) for f in dataclasses.fields(row)}


@cache
def decoders(cls: type) -> dict[str, Any]:
    """How each field of a row type is read back from plain JSON values."""
    hints = typing.get_type_hints(cls)
    out: dict[str, Any] = {}
    for name, hint in hints.items():
        args = typing.get_args(hint) or (hint,)
        if date in args:
            out[name] = date.fromisoformat
        elif any(isinstance(a, type) and issubclass(a, StrEnum) for a in args):
            out[name] = next(a for a in args if isinstance(a, type) and issubclass(a, StrEnum))
        elif typing.get_origin(hint) is tuple:
            out[name] = tuple
    return out


def row_from_dict(cls: type, data: dict[str, Any]) -> Any:
    decode = decoders(cls)
    values = {k: (decode[k](v) if k in decode and v is not None else v) for k, v in data.items()}
    return cls(**values)


def batch_to_dict(batch: GraphBatch) -> dict[str, list[dict[str, Any]]]:
    return {name: [row_to_dict(r) for r in getattr(batch, name)] for name in BATCH_FIELDS}


def batch_from_dict(data: dict[str, list[dict[str, Any]]]) -> GraphBatch:
    return GraphBatch(
        **{
            name: [row_from_dict(ROW_TYPES[name], r) for r in data.get(name, [])]
            for name in BATCH_FIELDS
        }
    )


def sort_key(row: Any) -> tuple:
    """A total order on rows of one type (dates and None compare as strings)."""
    return tuple("" if v is None else str(v) for v in row_to_dict(row).values())


def sorted_batch(batch: GraphBatch) -> GraphBatch:
    return GraphBatch(**{name: sorted(getattr(batch, name), key=sort_key) for name in BATCH_FIELDS})
