"""Plain leaf fields answered without graphql-core's per-field machinery.

A 100-row page is 500-830 fields, most of them an attribute of a dataclass
(`id`, `name`, `tier`): graphql-core makes a Path and a ResolveInfo for each,
calls strawberry's default resolver through two wrappers and walks
`complete_value`, about 60% of such a page's CPU. `FastExecutionContext`
answers a field whose resolver is strawberry's plain attribute getter and
whose type is a scalar or an enum (maybe non-null) by reading the attribute
and coercing it with the type's own `coerce_output_value`, when that succeeds
with a value (or a null where null is allowed). Anything else goes through
graphql-core's `execute_field` unchanged, which reads the attribute again and
makes the error itself: a null for a non-null field, a value the enum or scalar
refuses, an exception, an awaitable. Fields with resolvers, lists, objects,
arguments, `__typename`, introspection, and every request with resolve
middleware (a schema extension with a `resolve` hook) take graphql-core's path.
tests/api/conftest.py answers every query of tests/api both ways and compares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import GraphQLField, GraphQLLeafType, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# strawberry's resolver for a field with no resolver, no field extensions and no
# exception handler (strawberry.schema.schema_converter.from_resolver).
BASIC_RESOLVER = "_get_basic_result"
STRAWBERRY_FIELD = "strawberry-definition"
PLAIN_TYPES = {str, int, float, bool}  # never an exception or an awaitable


class PlainLeaf(NamedTuple):
    attribute: str
    leaf: GraphQLLeafType
    non_null: bool


def plain_leaf(field_def: GraphQLField | None) -> PlainLeaf | None:
    """What to read for this field, or None when graphql-core must run it."""
    if field_def is None:
        return None
    resolve = field_def.resolve
    field = (field_def.extensions or {}).get(STRAWBERRY_FIELD)
    if (
        resolve is None
        or getattr(resolve, "__name__", None) != BASIC_RESOLVER
        or not getattr(resolve, "_is_default", False)
        or field is None
        or not field.is_basic_field
        or field.default_resolver is not getattr
        or field_def.args
    ):
        return None
    kind = field_def.type
    non_null = isinstance(kind, GraphQLNonNull)
    if non_null:
        kind = kind.of_type
    if not is_leaf_type(kind):
        return None
    return PlainLeaf(field.python_name, kind, non_null)


# One selection's fields: (response name, its field nodes, the plain leaf or None).
Plan = list[tuple[str, Any, PlainLeaf | None]]


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        self.plain_allowed = middleware is None or not middleware.middlewares
        # graphql-core collects a selection once per request and gives every row
        # of a list the same grouped field set: its plan is made once too. The
        # set is kept with it so that its id is not reused during the request.
        self.plans: dict[tuple[str, int], tuple[Any, Plan]] = {}

    def plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Plan:
        key = (parent_type.name, id(grouped_field_set))
        found = self.plans.get(key)
        if found is None:
            plan: Plan = []
            for response_name, field_details_list in grouped_field_set.items():
                node = field_details_list[0].node
                leaf = None
                if self.plain_allowed and not node.arguments:
                    leaf = plain_leaf(self.schema.get_field(parent_type, node.name.value))
                plan.append((response_name, field_details_list, leaf))
            found = self.plans[key] = (grouped_field_set, plan)
        return found[1]

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's Executor.execute_fields, with plain leaves answered inline."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list, leaf in self.plan(
                parent_type, grouped_field_set
            ):
                if leaf is not None:
                    value = plain_value(leaf, source_value, is_awaitable)
                    if value is not Undefined:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()


def plain_value(leaf: PlainLeaf, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """The field's answer, or Undefined when graphql-core must make it (an error,
    or something that is not a plain value)."""
    try:
        value = getattr(source, leaf.attribute)
    except Exception:  # graphql-core raises it again, and locates it
        return Undefined
    if value is None:
        return Undefined if leaf.non_null else None
    if type(value) not in PLAIN_TYPES and (
        isinstance(value, Exception) or value is Undefined or is_awaitable(value)
    ):
        return Undefined
    try:
        coerced = leaf.leaf.coerce_output_value(value)
    except Exception:
        return Undefined
    return Undefined if coerced is None else coerced
