"""The GraphQL schema: what a request's context holds, the Query root, and the
limits every operation is checked against before it runs."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any

import strawberry
from graphql.execution.executor import Executor as GraphQLExecutionContext
from strawberry.fastapi import BaseContext
from strawberry.tools import merge_types
from strawberry.types import Info

from access.principal import Principal
from api.audits.queries import AuditsQuery
from api.coverage.queries import CoverageQuery
from api.document_cache import DocumentCache
from api.errors import CodedErrors, CodedSchema
from api.exports.mutations import ExportsMutation
from api.fastpath import FastExecutionContext
from api.jobs.mutations import JobsMutation
from api.jobs.queries import JobsQuery
from api.jointlist.mutations import JointListMutation
from api.jointlist.queries import JointListQuery
from api.limits import OperationLimits
from api.mutations.mutations import WritesMutation
from api.network.common import call
from api.network.queries import NetworkQuery
from api.remediation.mutations import RemediationMutation
from api.remediation.queries import RemediationQuery
from api.risk.queries import RiskQuery
from api.sharing.mutations import SharingMutation
from api.sharing.queries import SharingQuery
from api.types import Day, Stats
from graph.store import GraphStore
from views.store import store_counts


class Context(BaseContext):
    """Built fresh for every request: the store, the principal the request's key
    names, and this request's DataLoaders. Every operation runs with a principal:
    api.app refuses a request without a valid key before GraphQL sees it (None
    only for GraphiQL's page, which runs no operation)."""

    def __init__(
        self, store: GraphStore, principal: Principal | None = None, introspection: bool = False
    ):
        super().__init__()
        self.store = store
        self.principal = principal
        self.introspection = introspection  # TIERGRAPH_API_INTROSPECTION (api.limits)
        self.loaders: dict[str, Any] = {}  # DataLoaders, made on first use, this request only


@cache  # reading the package's metadata takes milliseconds
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

    @strawberry.field(description="What the store holds, counted now (operator keys only).")
    async def stats(self, info: Info[Context, None]) -> Stats:
        return Stats.from_counts(await call(info, store_counts))


# The roots: one part per domain (api/<domain>/queries.py, mutations.py).
Query = merge_types(
    "Query",
    (
        ServiceQuery,
        NetworkQuery,
        CoverageQuery,
        AuditsQuery,
        JobsQuery,
        SharingQuery,
        RemediationQuery,
        JointListQuery,
        RiskQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        JobsMutation,
        ExportsMutation,
        WritesMutation,
        SharingMutation,
        RemediationMutation,
        JointListMutation,
    ),
)


def build_schema(
    execution_context_class: type[GraphQLExecutionContext] | None = FastExecutionContext,
) -> CodedSchema:
    """The API's schema; `execution_context_class=None` runs every field through
    graphql-core's own path (tests compare the two: api/fastpath.py)."""
    return CodedSchema(
        query=Query,
        mutation=Mutation,
        # The limits first (they refuse before anything runs), the error codes last.
        # Parsing and validating cost more than most answers: both are cached per
        # query text (and per set of rules: introspection on or off): api/document_cache.py.
        extensions=[
            OperationLimits,
            DocumentCache,
            CodedErrors,
        ],
        execution_context_class=execution_context_class,
        scalar_overrides={date: Day},
    )


schema = build_schema()
