"""GraphQL operations run as a principal, for the member query tests.

The API's authentication (a Bearer key naming the principal) and its mapping of
service errors to `extensions.code` are built beside these queries. Until both
are in, operations run on a schema with the same roots but without the masking
of unexpected errors, with the principal put into the request's Context; an
error's code is read from `extensions.code` when there is one, else from the
service error it carries. Once merged, `execute` can go through the app with
`Authorization: Bearer <key>` instead (see docs/api.md, "Queries for members'
people") and the same assertions hold.
"""

from __future__ import annotations

import asyncio
from typing import Any

import strawberry
from graphql import ExecutionResult

from access.principal import Principal
from api.schema import Context, Mutation, Query
from graph.store import GraphStore

UNMASKED = strawberry.Schema(query=Query, mutation=Mutation)


def execute(
    store: GraphStore,
    principal: Principal | None,
    query: str,
    variables: dict[str, Any] | None = None,
) -> ExecutionResult:
    context = Context(store, principal)  # fresh per request, as the app makes it
    return asyncio.run(UNMASKED.execute(query, variables, context_value=context))


def code(error: Any) -> str:
    found = (error.extensions or {}).get("code")
    if found:
        return found
    original = error.original_error
    return getattr(original, "code", type(original).__name__)


def data(store: GraphStore, principal: Principal, query: str, **variables: Any) -> Any:
    result = execute(store, principal, query, variables or None)
    assert result.errors is None, [(e.message, code(e)) for e in result.errors]
    return result.data


def refusal(store: GraphStore, principal: Principal, query: str, **variables: Any) -> tuple:
    """(code, message) of the one error, with no data leaked beside it."""
    result = execute(store, principal, query, variables or None)
    assert result.errors and len(result.errors) == 1, result
    assert not result.data, result.data
    return code(result.errors[0]), result.errors[0].message
