"""A prepared operation of one root field answered without graphql-core's executor
(api/edge.py, docs/api.md "The request path").

Most requests clients send are one root field with its arguments from variables
and a fixed selection of plain fields under it (tierCoverage, organisation,
registerSupplier, passOn): graphql-core's `execute_operation`, its root field
collection, `execute_field`, `complete_awaitable_value`, `complete_value` and
`complete_object_value` then do little but wrap one resolver call. A *direct*
operation is one whose document has no directive and no fragment, one root field
(not introspection) with a resolver, and a return type whose whole selection
api/fastpath.py answers as plain values (an object, a list of them, a leaf).

For such an operation, per request: graphql-core's execution context is built
(the variables coerced as graphql-core coerces them), the root field's arguments
coerced, its resolver called with the `GraphQLResolveInfo` graphql-core would
give it, and its value shaped with the operation's plan. Only the plain, happy
answer is made here. Anything else goes to graphql-core, which makes the answer
and its errors itself:

- variables or arguments that do not coerce: the operation runs graphql-core's
  way from the start (no resolver was called);
- a resolver that raised, a null value, or a value the plan cannot shape (a null
  in a non-null field, an enum value unknown...): graphql-core runs the operation
  with the root field's outcome *replayed* (a resolve middleware answers the root
  field with the value it returned or the exception it raised), so that a
  mutation is never performed twice and the errors are graphql-core's own.

tests/api/test_direct.py and the edge's comparisons (tests/api/conftest.py,
tests/api/test_edge.py) check the bytes against strawberry's normal path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
)
from graphql.execution.collect_fields import collect_fields
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path

from api.fastpath import ByIdentity, FastExecutionContext, NotPlain, Shape


class Plan(NamedTuple):
    """How a direct operation is answered (the module)."""

    root_type: GraphQLObjectType
    field_def: GraphQLField
    response_name: str
    details: Any  # graphql-core's field details list of the root field
    nodes: list[FieldNode]
    shape: Shape
    path: Path
    arguments: bool  # whether the field takes or is given arguments


NOT_DIRECT = object()
# operation -> its Plan, or NOT_DIRECT: per prepared operation node (kept while it is)
_PLANS: ByIdentity[Any] = ByIdentity()


def may_be_direct(query: str, definitions: int, operation: OperationDefinitionNode) -> bool:
    """What the document's text alone says: no directive, no fragment, one root field."""
    selections = operation.selection_set.selections
    return (
        "@" not in query
        and definitions == 1
        and len(selections) == 1
        and isinstance(selections[0], FieldNode)
        and not selections[0].name.value.startswith("__")
    )


def plan_of(ctx: FastExecutionContext) -> Plan | None:
    """The operation's plan, made with its first request's execution context."""
    operation = ctx.operation
    found = _PLANS.get(operation)
    if found is None:
        found = _PLANS.setdefault(operation, _plan(ctx) or NOT_DIRECT)
    return found if isinstance(found, Plan) else None


def _plan(ctx: FastExecutionContext) -> Plan | None:
    schema: GraphQLSchema = ctx.schema
    root_type = schema.get_root_type(ctx.operation.operation)
    if root_type is None or not ctx.plain_allowed:
        return None
    grouped, deferred, _forbidden = collect_fields(
        schema, ctx.fragments, ctx.variable_values, root_type, ctx.operation
    )
    if deferred or len(grouped) != 1:
        return None
    ((response_name, details),) = grouped.items()
    if len(details) != 1:
        return None
    node = details[0].node
    field_def = schema.get_field(root_type, node.name.value)
    if field_def is None or field_def.resolve is None:
        return None
    kind: Any = field_def.type
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    shape = ctx.shape_of(kind, details)
    if shape is None:
        return None
    path = Path(None, response_name, root_type.name)
    arguments = bool(field_def.args or node.arguments)
    return Plan(root_type, field_def, response_name, details, [node], shape, path, arguments)


class Replayed(NamedTuple):
    """The root field's outcome, for graphql-core to answer (the module)."""

    value: Any
    error: Exception | None


def replay(outcome: Replayed) -> Callable[..., Any]:
    """A resolve middleware answering the root field with `outcome`."""

    def middleware(next_: Callable[..., Any], source: Any, info: Any, **args: Any) -> Any:
        if info.path.prev is not None:
            return next_(source, info, **args)
        if outcome.error is not None:
            raise outcome.error
        return outcome.value

    return middleware


async def answer(ctx: FastExecutionContext, plan: Plan) -> dict[str, Any] | Replayed | None:
    """The answer's JSON object; a Replayed for graphql-core to answer from the root
    field's outcome; None when graphql-core must answer from the start."""
    try:
        args = (
            get_argument_values(plan.field_def, plan.nodes[0], ctx.variable_values)
            if plan.arguments
            else {}
        )
    except Exception:  # graphql-core makes the error (nothing ran yet)
        return None
    info = ctx.build_resolve_info(plan.field_def, plan.nodes, plan.root_type, plan.path)
    resolve = plan.field_def.resolve
    assert resolve is not None
    try:
        value = resolve(None, info, **args)
        if ctx.is_awaitable(value):
            value = await value
    except Exception as error:
        return Replayed(None, error)
    if value is None:
        return Replayed(value, None)
    try:
        return {"data": {plan.response_name: plan.shape.complete(value)}}
    except NotPlain:
        return Replayed(value, None)
