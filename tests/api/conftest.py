"""Every query the API tests send in-process is answered twice: by the served
schema (api/fastpath.py's execution) and by the same schema executed the
plain graphql-core way. The two answers must be the same bytes, data and
errors, or the test that sent the query fails (a mutation runs once: twice
would write twice). A query answered on the edge's prepared path (api/edge.py)
is compared with strawberry's whole plain path (`Schema.execute`, its
extensions, the view's result processing) the same way. A test module that counts service calls sets
`COMPARE_FAST_AND_PLAIN = False`: the second answer would call them again."""

from __future__ import annotations

import inspect
from typing import Any

import orjson
import pytest
from graphql import GraphQLError, OperationType, get_operation_ast, parse

from api import edge
from api.errors import CodedGraphQL
from api.schema import build_schema, schema

PLAIN = build_schema(execution_context_class=None)
VIEW = CodedGraphQL(PLAIN, context_getter=None)  # type: ignore[arg-type]
SIGNATURE = inspect.signature(type(schema).execute)
compared: list[str] = []  # the queries compared so far (tests/api/test_fastpath.py)


def is_query(query: str | None, operation_name: str | None) -> bool:
    try:
        operation = get_operation_ast(parse(query or ""), operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation == OperationType.QUERY


def answer(result: Any) -> bytes:
    errors = [error.formatted for error in result.errors or []]
    return orjson.dumps({"data": result.data, "errors": errors})


@pytest.fixture(autouse=True)
def fast_matches_plain(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if not getattr(request.module, "COMPARE_FAST_AND_PLAIN", True):
        return
    fast = schema.execute

    async def execute(*args: Any, **kwargs: Any) -> Any:
        result = await fast(*args, **kwargs)
        bound = SIGNATURE.bind(schema, *args, **kwargs).arguments
        if not is_query(bound.get("query"), bound.get("operation_name")):
            return result
        mine, plain = answer(result), answer(await PLAIN.execute(*args, **kwargs))
        if mine != plain:  # a job's progress may move between the two: once more
            mine = answer(await fast(*args, **kwargs))
            plain = answer(await PLAIN.execute(*args, **kwargs))
        assert mine == plain, f"fast and plain execution differ on {bound.get('query')!r}"
        compared.append(bound["query"])
        return result

    monkeypatch.setattr(schema, "execute", execute)
    monkeypatch.setattr(edge, "edge_run", edge_matches_plain)


async def processed(result: Any) -> bytes:
    """The answer's bytes as strawberry's view (api.errors.CodedGraphQL) makes them."""
    return orjson.dumps(await VIEW.process_result(None, result))


async def edge_matches_plain(
    served: Any, context: Any, operation: Any, variables: Any, name: Any, extensions: Any
) -> Any:
    mine = await edge.run_operation(served, context, operation, variables, name, extensions)
    if operation.operation != OperationType.QUERY:
        return mine
    query = operation.query
    plain = await processed(
        await PLAIN.execute(
            query,
            variable_values=variables,
            context_value=context,
            operation_name=name,
            operation_extensions=extensions,
        )
    )
    if orjson.dumps(mine) != plain:  # a job's progress may move between the two: once more
        mine = await edge.run_operation(served, context, operation, variables, name, extensions)
    assert orjson.dumps(mine) == plain, f"the edge and strawberry's path differ on {query!r}"
    compared.append(query)
    return mine
