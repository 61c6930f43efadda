"""The GraphQL schema: what a request's context holds, the Query root, and the
limits every operation is checked against before it runs."""

from __future__ import annotations

import asyncio
from functools import partial
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxAliasesLimiter, QueryDepthLimiter
from strawberry.fastapi import BaseContext
from strawberry.tools import merge_types
from strawberry.types import Info

from access.principal import Principal
from api.audits.queries import AuditsQuery
from api.coverage.queries import CoverageQuery
from api.jobs.mutations import JobsMutation
from api.jobs.queries import JobsQuery
from api.network.queries import NetworkQuery
from api.types import Stats
from graph.store import GraphStore

MAX_DEPTH = 10
MAX_ALIASES = 15


class Context(BaseContext):
    """Built fresh for every request: the store, the principal the request's key
    names (None without a valid key), and this request's DataLoaders."""

    def __init__(self, store: GraphStore, principal: Principal | None = None):
        super().__init__()
        self.store = store
        self.principal = principal
        self.loaders: dict[str, Any] = {}  # DataLoaders, made on first use, this request only


def tiergraph_version() -> str:
    try:
        return package_version("tiergraph")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0+unknown"


@strawberry.type
class ServiceQuery:
    @strawberry.field(description='Always "ok" when the API answers.')
    def health(self) -> str:
        return "ok"

    @strawberry.field(description="The version of tiergraph serving this API.")
    def version(self) -> str:
        return tiergraph_version()

    @strawberry.field(description="What the store holds, counted now.")
    async def stats(self, info: Info[Context, None]) -> Stats:
        # The store port is synchronous (Neo4j blocks): keep it off the event loop.
        counts = await asyncio.to_thread(info.context.store.counts)
        return Stats.from_counts(counts)


# The roots: one part per domain (api/<domain>/queries.py, mutations.py).
Query = merge_types("Query", (ServiceQuery, NetworkQuery, CoverageQuery, AuditsQuery, JobsQuery))
Mutation = merge_types("Mutation", (JobsMutation,))


def is_unexpected(error: GraphQLError) -> bool:
    """An exception raised inside a resolver: its message may hold internals
    (hosts, queries), so the client sees a generic one; the server logs it."""
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    # Factories: every operation gets its own extension instances.
    extensions=[
        partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        partial(MaskErrors, should_mask_error=is_unexpected),
    ],
)
