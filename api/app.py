"""The HTTP service: `create_app` builds it; `tiergraph serve` runs it.

Nothing connects when this module is imported or when the app is built: the
store is opened when the server starts (the lifespan) and closed when it stops.
Every GraphQL request needs an API key (api.auth) within its rate; /health and
GraphiQL's page need none.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from access.principal import Principal
from api.auth import (
    KeyCache,
    authenticate,
    check_rate,
    confirm_ahead,
    may_write,
    opens_the_ide,
)
from api.edge import Edge
from api.errors import CodedGraphQL, install_handlers
from api.exports.routes import install_download
from api.limits import RateLimiter, SizeLimit
from api.network.common import local
from api.prepared import prepared
from api.request_json import kept_json
from api.schema import Context, schema, tiergraph_version
from api.slow_requests import SlowRequests
from api.spreading import KeepAliveLimit
from graph import read_scope
from graph.store import GraphStore
from mutations import keeper
from tiergraph.bootstrap import open_store
from tiergraph.settings import Settings

log = logging.getLogger(__name__)


def store_kind(store: GraphStore) -> str:
    """The store's kind, "embedded" or "neo4j", from its adapter."""
    from graph.sqlite_store import SqliteStore

    return "embedded" if isinstance(store, SqliteStore) else "neo4j"


class TiergraphApp(FastAPI):
    """FastAPI, with what every request meets first in front of its middleware stack:
    the keep-alive limit (api/spreading.py), then POST /graphql's short path
    (api/edge.py), which hands everything else to FastAPI's own stack."""

    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.front is None:
            await super().__call__(scope, receive, send)
        else:
            await self.front(scope, receive, send)


def prepare_for_edge(body: Any, introspection: bool) -> None:
    """Prepare the operation of a request body (api/prepared.py) for api/edge.py."""
    if type(body) is not dict:
        return
    query, name = body.get("query"), body.get("operationName")
    if type(query) is str and query and (name is None or type(name) is str):
        prepared(schema._schema, query, name, introspection)


def served_app() -> FastAPI:
    """What `tiergraph serve` runs in each of its processes: create_app() with the
    process's start-up objects frozen out of garbage collection, and what requests
    keep in memory made before it serves and kept up (mutations.keeper)."""
    return create_app(freeze_gc=True, keep=True)


def _keeping(store: GraphStore) -> keeper.KeepUp:
    """What requests would make at their first use, made now (a store that cannot be
    read yet is left to the requests, which answer its error), then kept up."""
    try:
        keeper.prepare(store)
    except Exception:  # noqa: BLE001 - served anyway: the requests make it or say why
        log.warning("could not prepare the projection before serving", exc_info=True)
    return keeper.KeepUp(store).start()


def create_app(
    settings: Settings | None = None,
    store: GraphStore | None = None,
    *,
    freeze_gc: bool = False,
    edge: bool = True,
    keep: bool = False,
) -> FastAPI:
    """The app on `store`, or on the store `settings` name, opened at startup;
    its limits, CORS and introspection from `settings` (default: the environment).
    `freeze_gc`: at startup, freeze what the process holds (gc.freeze) until shutdown.
    `edge` False: every request through FastAPI and strawberry (tests compare the two).
    `keep`: make what requests keep in memory before serving, and keep it up with every
    process's writes while serving (mutations.keeper; `tiergraph serve`)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A store handed in belongs to the caller, who closes it; ours we close.
        opened = store is None
        current = store
        if current is None:
            current = await asyncio.to_thread(open_store, settings)
        app.state.store = current
        app.state.store_kind = store_kind(current)
        keeping: keeper.KeepUp | None = None
        # What a server process holds once started (modules, the schema, the store) is
        # never garbage, yet each full collection walked it: 60 ms of CPU for 89,000
        # objects, every few hundred requests, with every request of the process waiting.
        try:
            if keep:
                keeping = await asyncio.to_thread(_keeping, current)
            if freeze_gc:
                gc.collect()
                gc.freeze()
            yield
        finally:
            if keeping is not None:
                await asyncio.to_thread(keeping.stop)
            if freeze_gc:
                gc.unfreeze()
            if opened:
                await asyncio.to_thread(current.close)

    # No OpenAPI pages: the API is GraphQL (docs/schema.graphql), and each open
    # page is one more thing served without a key.
    app = TiergraphApp(
        title="tiergraph",
        version=tiergraph_version(),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # `/graphql/` is another path, answered 404 like any other (not a 307 to
        # /graphql with an empty body, which clients follow without their POST body).
        redirect_slashes=False,
    )

    @app.get("/health")
    def health(request: Request) -> JSONResponse:
        """Ok when the store answers; 503 with the reason when it does not, at once."""
        kind = request.app.state.store_kind
        try:
            request.app.state.store.ping()
        except Exception as exc:  # any failure of the store means the same here
            log.warning("health: the %s store did not answer", kind, exc_info=True)
            reason = f"the {kind} store did not answer ({type(exc).__name__})"
            return JSONResponse(
                {"status": "unavailable", "store": kind, "reason": reason}, status_code=503
            )
        return JSONResponse({"status": "ok", "store": kind})

    limiter = RateLimiter(settings.api_rate_per_second, settings.api_rate_burst)
    keys = KeyCache(settings.api_key_cache_seconds)

    async def principal_from(
        store: GraphStore, headers: list[str], fresh: bool, ahead: bool = False
    ) -> Principal:
        """The principal of the request's Authorization headers (401) within its rate
        (429); `fresh`: the key's record read whatever the key cache holds (a request
        that may write); `ahead`: read with the request's first round trip instead
        (api.auth.CachedKey, confirmed by `key_confirmed`)."""
        principal = await authenticate(
            store, headers, keys, inline=local(store), fresh=fresh, ahead=ahead
        )
        check_rate(limiter, principal)
        return principal

    async def key_confirmed(store: GraphStore) -> None:
        await confirm_ahead(store, keys)

    async def principal_of(request: Request, fresh: bool = False) -> Principal:
        headers = request.headers.getlist("authorization")
        return await principal_from(request.app.state.store, headers, fresh)

    async def context(request: Request) -> Context:
        store = request.app.state.store
        if opens_the_ide(request):
            return Context(store, introspection=settings.api_introspection)
        writes = await may_write(request, schema._schema, settings.api_introspection)
        read_scope.begin(read_only=not writes)  # one read of the graph version (below)
        principal = await principal_of(request, fresh=writes)
        if edge:  # a valid key sent it: the edge answers this document from now on
            prepare_for_edge(kept_json(), settings.api_introspection)
        return Context(store, principal, introspection=settings.api_introspection)

    # A plain route: the endpoint builds its context itself (api.errors.CodedGraphQL).
    graphql = CodedGraphQL(schema, context_getter=context)
    app.router.routes.append(Route("/graphql", graphql, methods=["GET", "POST"]))
    install_download(app, principal_of)
    install_handlers(app)

    app.add_middleware(SizeLimit)

    cors: dict[str, Any] = {
        "allow_origins": settings.api_cors_origins,
        "allow_methods": ["GET", "POST"],
        "allow_headers": ["Authorization", "Content-Type"],
        "max_age": 600,
    }
    stack: Any = partial(FastAPI.__call__, app)  # FastAPI's own stack, built on first use
    if not edge:
        if settings.api_cors_origins:  # closed unless configured
            app.add_middleware(CORSMiddleware, **cors)
    else:
        stack = Edge(
            stack, schema, principal_from, settings.api_introspection, app.state, key_confirmed
        )
        if settings.api_cors_origins:  # closed unless configured: in front of both paths
            stack = CORSMiddleware(stack, **cors)
    app.front = SlowRequests(KeepAliveLimit(stack, requests=settings.api_keepalive_requests))
    return app
