"""POST /graphql on a short path (docs/api.md, "The request path").

The normal path is FastAPI's middleware stack (server errors, body limit,
exception handlers, an exit stack, the router), then strawberry's HTTP view
(request adapter, body parse, context, `Schema.execute` with its extension
hooks, parse and validation caches, result processing), then graphql-core. For
the requests clients send all day (a JSON POST of a document already seen)
`Edge` answers the same bytes with less: the body read once, the operation
prepared once per document text (api/prepared.py: the first request of a
document, once its key is found valid, goes the normal path and prepares it),
then the key and rate checked, the context built and the operation executed by
graphql-core with the schema's execution context (api/fastpath.py), its errors
coded (api/errors.py) and the answer serialised with orjson.

Any request the edge is not sure to answer as the normal path does goes that
path untouched (its body handed on): not a POST of JSON with a length within
the limit, a body that is not a plain GraphQL request object, a document that
does not parse or validate, a streaming Accept header. CORS, when configured,
is in front of both paths (api/app.py). tests/api/test_edge.py sends the same
requests both ways and compares the answers byte for byte.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from graphql import execute as execute_operation
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.execution import optimized_is_awaitable

from access.principal import Principal
from api.direct import Replayed, plan_of
from api.direct import answer as direct_answer
from api.direct import replay as replaying
from api.errors import INTERNAL, UNEXPECTED, Refused, coded, content_type, error_body
from api.fastpath import FastExecutionContext
from api.limits import MAX_BODY_BYTES
from api.prepared import Prepared, known
from api.prepared import writes as operation_writes
from api.schema import Context
from graph import key_ahead, read_scope
from graph.store import GraphStore

log = logging.getLogger("api.edge")

# (store, the Authorization headers, fresh, ahead) -> the principal, or Refused (api.app).
Authenticate = Callable[[GraphStore, list[str], bool, bool], Awaitable[Principal]]
# At the end of a request whose key is read ahead: Refused when it was not valid.
Confirm = Callable[[GraphStore], Awaitable[None]]
JSON_HEADERS = (b"content-type", b"application/json")
# False: every operation through graphql-core's executor (bench/graphql_cpu.py compares)
DIRECT = True
STREAMING = ("multipart/", "event-stream")  # strawberry's streaming transports' Accept


class Request:
    """What the edge reads of a request's headers, or None when it is not for the edge."""

    __slots__ = ("authorization", "length")

    def __init__(self, authorization: list[str], length: int) -> None:
        self.authorization = authorization
        self.length = length


def edge_request(scope: Scope) -> Request | None:
    if scope["method"] != "POST" or scope["path"] != "/graphql":
        return None
    authorization: list[str] = []
    kind = length = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization.append(value.decode("latin-1"))
        elif name == b"content-type":
            if kind is not None:
                return None
            kind = value.decode("latin-1")
        elif name == b"content-length":
            if length is not None or not value.isdigit():
                return None
            length = int(value)
        elif name == b"accept":
            accept = value.decode("latin-1")
            if any(streaming in accept for streaming in STREAMING):
                return None
        elif name == b"transfer-encoding":
            return None
    if kind is None or length is None or length > MAX_BODY_BYTES:
        return None
    if "application/json" not in content_type(kind)[0]:
        return None
    return Request(authorization, length)


def operation_of(body: bytes) -> tuple[str, dict[str, Any] | None, str | None, Any] | None:
    """(query, variables, operation name, extensions) of a plain GraphQL request body."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict:
        return None
    query = data.get("query")
    variables = data.get("variables")
    name = data.get("operationName")
    extensions = data.get("extensions")
    if (
        type(query) is not str
        or not query
        or (variables is not None and type(variables) is not dict)
        or (name is not None and type(name) is not str)
        or (extensions is not None and type(extensions) is not dict)
    ):
        return None
    return query, variables, name, extensions


async def run_operation(
    schema: Any,
    context: Context,
    operation: Prepared,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    extensions: dict[str, Any] | None,
) -> dict[str, Any]:
    """The answer's JSON object, as strawberry's view makes it (api.errors.CodedGraphQL):
    a direct operation's without graphql-core's executor when it can (api/direct.py)."""
    middleware = None
    try:
        if operation.direct and DIRECT:
            got = await run_direct(
                schema, context, operation, variables, operation_name, extensions
            )
            if type(got) is dict:
                return got
            if isinstance(got, Replayed):
                middleware = [replaying(got)]
        result: Any = execute_operation(
            schema._schema,
            operation.document,
            root_value=None,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            is_awaitable=optimized_is_awaitable,
            executor_class=schema.execution_context_class,
            operation_extensions=extensions,
            middleware=middleware,
        )
        if optimized_is_awaitable(result):
            result = await result
    except Exception:  # graphql-core answers errors itself: this is a bug, say nothing of it
        log.exception("unexpected error running %s", operation_name or "an operation")
        return {"data": None, "errors": error_body(UNEXPECTED, INTERNAL)["errors"]}
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        schema.process_errors(result.errors)  # logs the unexpected ones, in full
        answer["errors"] = [coded(error).formatted for error in result.errors]
    return answer


async def run_direct(
    schema: Any,
    context: Context,
    operation: Prepared,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    extensions: dict[str, Any] | None,
) -> dict[str, Any] | Replayed | None:
    """api.direct.answer, with graphql-core's execution context for this request."""
    ctx = schema.execution_context_class.build(
        schema._schema,
        operation.document,
        None,
        context,
        variables,
        operation_name,
        is_awaitable=optimized_is_awaitable,
        operation_extensions=extensions,
    )
    if not isinstance(ctx, FastExecutionContext):  # variables that do not coerce
        return None
    try:
        plan = plan_of(ctx)
        return None if plan is None else await direct_answer(ctx, plan)
    finally:
        ctx.release()  # graphql-core runs anything more with a context of its own


# What the edge calls to run an operation: tests/api/conftest.py wraps it to compare
# every query's answer with strawberry's plain path.
edge_run = run_operation


class Edge:
    """The ASGI app: POST /graphql on the short path, everything else to `app`."""

    def __init__(
        self,
        app: ASGIApp,
        schema: Any,
        authenticate: Authenticate,
        introspection: bool,
        state: Any,
        confirm: Confirm,
    ) -> None:
        self.app = app
        self.schema = schema
        self.authenticate = authenticate
        self.introspection = introspection
        self.state = state  # the app's state: the store, once the server started
        self.confirm = confirm

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = edge_request(scope) if scope["type"] == "http" else None
        if request is None:
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before its body came
            body += message.get("body", b"")
            more = message.get("more_body", False)
        operation = operation_of(body) if len(body) == request.length else None
        found = None
        if operation is not None:
            query, _variables, name, _extensions = operation
            found = known(self.schema._schema, query, name, self.introspection)
        if operation is None or found is None:
            await self.app(scope, replay(body, receive), send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.answer(scope, request, operation, found, receive, sending)
        except Exception:  # as Starlette's ServerErrorMiddleware answers it, then raises
            if not started:
                await PlainTextResponse("Internal Server Error", 500)(scope, receive, send)
            raise

    async def answer(
        self,
        scope: Scope,
        request: Request,
        operation: tuple[str, dict[str, Any] | None, str | None, Any],
        found: Prepared,
        receive: Receive,
        send: Send,
    ) -> None:
        query, variables, name, extensions = operation
        store = self.state.store
        writes = operation_writes(found, query)  # as api.auth.may_write
        read_scope.begin(read_only=not writes)
        key_ahead.check_ahead(None)  # none left by a request that ran in this context before
        # A mutation that writes only through its store's apply, on a store that reads
        # a key with the request's first round trip (graph.key_ahead): the key cache's
        # entry stands until then, and a key found not valid is 401, nothing written.
        ahead = writes and found.key_ahead and getattr(store, "reads_keys_ahead", False)
        try:
            principal = await self.authenticate(store, request.authorization, writes, ahead)
            context = Context(store, principal, introspection=self.introspection)
            try:
                answer = await edge_run(self.schema, context, found, variables, name, extensions)
            except key_ahead.KeyRefused:  # confirm answers 401
                answer = None
            if ahead:
                await self.confirm(store)
        except Refused as exc:  # as api.errors.install_handlers answers it
            body = error_body(exc.message, exc.code, **exc.extensions)
            response = JSONResponse(body, status_code=exc.status, headers=exc.headers)
            await response(scope, receive, send)
            return
        assert answer is not None, "a key refused before its write is confirmed not valid"
        content = orjson.dumps(answer)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", str(len(content)).encode()), JSON_HEADERS],
            }
        )
        await send({"type": "http.response.body", "body": content})


def replay(body: bytes, receive: Receive) -> Receive:
    """`receive` with the body already read given again, once, whole."""
    given = False

    async def again() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again
