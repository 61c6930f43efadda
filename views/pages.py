"""Keyset pages: a page's cursor names the last row's sort key, so the next page
starts after it even when rows were added or removed meanwhile."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from access.errors import BadUserInput

MAX_PAGE = 500  # rows a page holds at most (api.limits lists it with the other limits)
DEFAULT_PAGE = 100

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_next: bool
    end_cursor: str | None
    total: int | None  # rows matching the filters, all pages together


def check_first(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise BadUserInput("first", f"must be between 1 and {MAX_PAGE}, got {first}")
    return first


def encode(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode(cursor: str | None, shape: tuple[type, ...]) -> list[Any] | None:
    """The sort key in a cursor this query made, checked against its shape."""
    if cursor is None:
        return None
    try:  # a cursor is a short [tier, id]: a long one was never made here
        key = json.loads(base64.urlsafe_b64decode(cursor.encode())) if len(cursor) <= 512 else None
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        key = None
    if (
        not isinstance(key, list)
        or len(key) != len(shape)
        or not all(
            isinstance(v, t) and not isinstance(v, bool) for v, t in zip(key, shape, strict=True)
        )
    ):
        raise BadUserInput("after", "not a cursor this query gave (use a page's endCursor)")
    return key


def check_tier(tier: int | None) -> None:
    if tier is not None and tier < 1:
        raise BadUserInput("tier", f"tiers start at 1 (direct suppliers), got {tier}")
