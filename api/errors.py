"""Every error the API answers carries `extensions.code` (docs/api.md, "Errors").

Inside GraphQL (`CodedErrors`, one schema extension):
- a service's refusal (access.errors.ServiceError) keeps its message and code
  (FORBIDDEN, NOT_FOUND, BAD_USER_INPUT);
- a document that does not parse or validate, breaks a limit, or has arguments
  or variables of the wrong type: BAD_USER_INPUT, with graphql-core's message;
- anything else raised while resolving: INTERNAL, "Unexpected error."; the
  server logs the exception (`CodedSchema.process_errors`), the client sees no
  message, type or trace of it.
Before GraphQL (no or a bad key, a key over its rate, a request that is not
GraphQL): the same body, `{"errors": [{"message", "extensions": {"code"}}]}`,
with the HTTP status (`install_handlers`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from functools import lru_cache
from typing import Any

import orjson
import strawberry
from cross_web import HTTPException
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from graphql import GraphQLError
from starlette.exceptions import HTTPException as StarletteHTTPException
from strawberry.asgi import GraphQL
from strawberry.extensions import SchemaExtension
from strawberry.http import async_base_view
from strawberry.types import ExecutionContext

from access.errors import ServiceError
from api.request_json import body_json

log = logging.getLogger("api.errors")

UNAUTHENTICATED = "UNAUTHENTICATED"
BAD_USER_INPUT = "BAD_USER_INPUT"
RATE_LIMITED = "RATE_LIMITED"
INTERNAL = "INTERNAL"
NOT_FOUND = "NOT_FOUND"
UNEXPECTED = "Unexpected error."


def is_unexpected(error: GraphQLError) -> bool:
    """Raised inside a resolver by something other than a service's refusal: its
    message may hold internals (hosts, queries). Errors without a path come from
    coercing the request's own arguments and variables: the user's input."""
    original = error.original_error
    return (
        original is not None
        and not isinstance(original, GraphQLError | ServiceError)
        and error.path is not None
    )


def error_code(error: GraphQLError) -> str:
    if isinstance(error.original_error, ServiceError):
        return error.original_error.code
    if is_unexpected(error):
        return INTERNAL
    code = (error.extensions or {}).get("code")  # set by the raiser (a permission class)
    return code if isinstance(code, str) else BAD_USER_INPUT


def coded(error: GraphQLError) -> GraphQLError:
    code = error_code(error)
    return GraphQLError(
        UNEXPECTED if code == INTERNAL else error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), "code": code},
    )


class CodedErrors(SchemaExtension):
    """Gives every error of the result its code; masks the unexpected ones."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [coded(error) for error in errors]


class CodedSchema(strawberry.Schema):
    """Logs only what the operator must look at: the unexpected errors, in full.
    A refusal or a bad query is the client's business, not the server log's."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if is_unexpected(error):
                log.error("unexpected error at %s", error.path, exc_info=error.original_error)


class Refused(Exception):
    """A request answered before GraphQL runs: HTTP `status`, one coded error."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extensions = extensions or {}


def error_body(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def install_handlers(app: FastAPI) -> None:
    async def refused(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Refused)
        return JSONResponse(
            error_body(exc.message, exc.code, **exc.extensions),
            status_code=exc.status,
            headers=exc.headers,
        )

    async def not_served(_request: Request, exc: Exception) -> JSONResponse:
        """Starlette's own refusals (a path or a method that is not served): coded too,
        instead of `{"detail": "Not Found"}`."""
        assert isinstance(exc, StarletteHTTPException)
        code = NOT_FOUND if exc.status_code == 404 else BAD_USER_INPUT
        return JSONResponse(
            error_body(str(exc.detail), code), status_code=exc.status_code, headers=exc.headers
        )

    app.add_exception_handler(Refused, refused)
    app.add_exception_handler(StarletteHTTPException, not_served)


@lru_cache(maxsize=64)
def _parsed_content_type(header: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    mime, params = _parse_content_type(header)
    return mime.lower(), tuple(params.items())  # case-insensitive (RFC 9110, 8.3.1)


def content_type(header: str) -> tuple[str, dict[str, str]]:
    """strawberry's parse of a Content-Type header, its media type in lower case (as
    RFC 9110 reads it: `APPLICATION/JSON` is JSON), kept per header text: it builds
    an email.message.Message for each request (1% of the write mix's server CPU)
    for the one or two headers clients send."""
    mime, params = _parsed_content_type(header)
    return mime, dict(params)


_parse_content_type = async_base_view.parse_content_type
async_base_view.parse_content_type = content_type  # what AsyncBaseHTTPView.parse_http_body calls


class CodedGraphQL(GraphQL):
    """The GraphQL endpoint as a plain ASGI app, its context from `context_getter`
    (request -> context). Not strawberry's FastAPI router: FastAPI's dependency
    injection, which the router builds the context with, cost a fifth of a small
    query's time in the server. strawberry answers a request it cannot read (not
    JSON, no query, a mutation over GET) in plain text; here it gets the coded JSON
    body like every other error. Mounted for HTTP only (a websocket would carry
    operations past the key check; the schema has no subscriptions either)."""

    def __init__(
        self, schema: Any, context_getter: Callable[[Request], Awaitable[Any]], **kwargs: Any
    ) -> None:
        super().__init__(schema, subscription_protocols=(), **kwargs)
        self.context_getter = context_getter

    async def get_context(self, request: Any, response: Any) -> Any:
        return await self.context_getter(request)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)  # about 5x json.dumps on a 100-row page

    def decode_json(self, data: str | bytes) -> object:
        try:  # api.auth.may_write's parse of this body, when it made one
            parsed = body_json(data)
        except UnicodeDecodeError:  # json.loads of bytes (orjson says JSONDecodeError)
            raise Refused(400, BAD_USER_INPUT, "the request body is not UTF-8") from None
        return parsed

    async def parse_http_body(self, request: Any) -> Any:
        """A JSON body that is no object (`null`, `5`) refused as bad input: strawberry
        reads `.get` of it (a list is a batch, which strawberry refuses itself)."""
        media_type = content_type(request.content_type or "")[0]  # as strawberry reads it
        if request.method == "POST" and "application/json" in media_type:
            if not isinstance(self.parse_json(await request.get_body()), dict | list):
                raise Refused(400, BAD_USER_INPUT, "the request body is not a JSON object")
        return await super().parse_http_body(request)

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().run(*args, **kwargs)
        except HTTPException as exc:
            raise Refused(exc.status_code, BAD_USER_INPUT, exc.reason) from None
        except RecursionError:  # JSON nested beyond what the parser follows
            raise Refused(400, BAD_USER_INPUT, "the request body is nested too deeply") from None

    async def process_result(self, request: Any, result: Any) -> Any:
        """Every error coded, also those made before the schema's extensions run
        (a document the parser cache could not parse)."""
        body = await super().process_result(request, result)
        for error in body.get("errors") or []:
            extensions = error.get("extensions") or {}
            extensions.setdefault("code", BAD_USER_INPUT)
            error["extensions"] = extensions
        return body
