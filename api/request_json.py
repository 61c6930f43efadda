"""A GraphQL request's JSON body, parsed once per request: `api.auth.may_write`
parses it before the context is built and keeps it for this request (a context
variable: one per request's task); the GraphQL view (`api.errors.CodedGraphQL`)
takes that parse for the same body instead of parsing it again."""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any

import orjson

# (the body, its JSON): the body kept to be sure the parse is of the bytes asked for
_PARSED: ContextVar[tuple[bytes, Any] | None] = ContextVar("tiergraph_request_json", default=None)


def parse_body(body: bytes) -> Any:
    """The body's JSON (orjson.JSONDecodeError when it is none), kept for this request."""
    parsed = orjson.loads(body)
    _PARSED.set((body, parsed))
    return parsed


def body_json(data: str | bytes) -> Any:
    """The JSON of `data`: the parse kept for this request when `data` is its body
    (orjson took it), else parsed now, as strawberry parses it."""
    kept = _PARSED.get()
    if kept is not None and kept[0] is data:
        return kept[1]
    # Not orjson: it refuses a lone surrogate (\ud800) that json takes, and the schema
    # then refuses as bad input naming its field (tests/api/test_write_attacks.py).
    # Bytes as UTF-8 only: json.loads would also read UTF-16 and UTF-32 bodies.
    if type(data) is not bytes:
        return json.loads(data)
    parsed = json.loads(data.decode("utf-8"))
    _PARSED.set((data, parsed))  # a body: the view's object check and strawberry parse once
    return parsed


def kept_json() -> Any:
    """The JSON parse of this request's body kept by `parse_body`, or None."""
    kept = _PARSED.get()
    return None if kept is None else kept[1]
