"""The limits every GraphQL operation is held to, in one place (docs/api.md, "Limits").

Checked before an operation runs: depth, aliases, tokens, introspection. While
it runs: page sizes (MAX_PAGE, which paginated fields clamp to or refuse above).
Before it is even parsed: each key's request rate (RateLimiter, used by api.auth).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, ExecutionResult, GraphQLError, OperationDefinitionNode
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension

from views import pages

MAX_DEPTH = 10  # levels of selections (introspection fields not counted)
MAX_ALIASES = 15
MAX_TOKENS = 2000  # braces, parentheses, colons and words of one document
MAX_BODY_BYTES = 256 * 1024  # a request's body (or GET query string): 413 beyond
MAX_PAGE = pages.MAX_PAGE  # rows a paginated field returns at most (the services check it)


# The depth and alias checks as validation rules, built once: strawberry's
# extensions build new rule classes per operation, which defeats the validation
# cache (keyed by the rules).
_RULES = (
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)
_RULES_WITHOUT_INTROSPECTION = (*_RULES, NoSchemaIntrospectionCustomRule)


def operation_rules(introspection: bool) -> tuple[Any, ...]:
    """The validation rules the limits add to graphql-core's own (api/prepared.py too)."""
    return _RULES if introspection else _RULES_WITHOUT_INTROSPECTION


class OperationLimits(SchemaExtension):
    """Depth, aliases and tokens for every operation; `__schema` and `__type`
    refused unless the request's context allows them (TIERGRAPH_API_INTROSPECTION),
    so one schema serves both settings."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        introspection = getattr(context.context, "introspection", False)
        rules = operation_rules(introspection)
        context.validation_rules = (*context.validation_rules, *rules)
        yield

    def on_execute(self) -> Iterator[None]:
        """GraphQL's rule for a document of several operations: the request names the
        one to run (strawberry would run the first, a mutation included)."""
        context = self.execution_context
        # strawberry keeps the request's operationName only here (its public
        # `operation_name` falls back to the first operation's); a strawberry that
        # renamed it refuses every named operation of a document of several, which
        # tests/api/test_write_attacks.py catches, not every request.
        given = getattr(context, "_provided_operation_name", None)
        if given is None and several_operations(context.graphql_document):
            error = GraphQLError(SEVERAL_OPERATIONS, extensions={"code": "BAD_USER_INPUT"})
            context.result = ExecutionResult(data=None, errors=[error])
        yield


SEVERAL_OPERATIONS = "Must provide operation name if query contains multiple operations."


def several_operations(document: DocumentNode | None) -> bool:
    if document is None:
        return False
    found = 0
    for definition in document.definitions:
        found += isinstance(definition, OperationDefinitionNode)
    return found > 1


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per API key: `burst` requests at once, refilled at `per_second`.

    Kept in this process's memory: each server process (each uvicorn worker,
    each replica) counts on its own. Called from the event loop only, so it needs
    no lock. `per_second` 0 turns the limit off.
    """

    def __init__(self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.per_second = per_second
        self.burst = max(1, burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def retry_after(self, key_id: str) -> int | None:
        """Take one request from the key's bucket: None when allowed, else the whole
        seconds to wait before the next one would be (at least 1)."""
        if self.per_second <= 0:
            return None
        now = self._clock()
        bucket = self._buckets.get(key_id)
        if bucket is None:
            bucket = self._buckets[key_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return max(1, math.ceil((1 - bucket.tokens) / self.per_second))


class _TooBig(Exception):
    pass


class SizeLimit:
    """Refuse a GraphQL request larger than MAX_BODY_BYTES (HTTP 413, coded) before
    anything reads it whole: the token limit bounds a document's words, not its
    bytes. A plain ASGI middleware: Starlette's BaseHTTPMiddleware costs about a
    millisecond a request."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/graphql"):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        too_big = len(scope.get("query_string", b"")) > MAX_BODY_BYTES
        if length is not None:
            too_big |= not length.isdigit() or int(length) > MAX_BODY_BYTES
        if too_big:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counted() -> Any:  # a chunked body has no length: count what comes
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise _TooBig
            return message

        try:
            await self.app(scope, counted, send)
        except _TooBig:  # the body is read whole before any answer is sent
            await self._refuse(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Any, receive: Any, send: Any) -> None:
        from starlette.responses import JSONResponse

        from api.errors import BAD_USER_INPUT, error_body

        message = f"the request is larger than {MAX_BODY_BYTES} bytes"
        await JSONResponse(error_body(message, BAD_USER_INPUT), status_code=413)(
            scope, receive, send
        )
