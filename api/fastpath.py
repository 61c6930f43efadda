"""Plain leaf fields executed without graphql-core's per-field machinery.

A 100-row page is 500-830 fields, most of them an attribute of a dataclass
(`id`, `name`, `tier`): graphql-core builds a ResolveInfo for each, calls
strawberry's default resolver through two wrappers and walks `complete_value`,
about 60% of such a page's CPU. For a field whose resolver is strawberry's
plain attribute getter and whose type is a scalar or an enum (maybe non-null),
`FastExecutionContext` reads the attribute and completes it the way
graphql-core does: the same value, the same errors with the same messages and
paths. Every other field (resolvers, lists, objects, arguments, `__typename`,
introspection) and every request with resolve middleware (a schema extension
with a `resolve` hook) takes graphql-core's own path.
tests/api/conftest.py runs every query of tests/api through both and compares.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from graphql import GraphQLField, GraphQLLeafType, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# strawberry's resolver for a field with no resolver, no field extensions and no
# exception handler (strawberry.schema.schema_converter.from_resolver).
BASIC_RESOLVER = "_get_basic_result"
STRAWBERRY_FIELD = "strawberry-definition"
NEVER_AWAITABLE = (str, int, float, bool)


class PlainLeaf(NamedTuple):
    attribute: str
    leaf: GraphQLLeafType
    non_null: bool


def plain_leaf(field_def: GraphQLField) -> PlainLeaf | None:
    """What to read for this field, or None when graphql-core must run it."""
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


# Per field definition of the (static) schema; the definition is kept so its id
# is never reused.
_plans: dict[int, tuple[GraphQLField, PlainLeaf | None]] = {}


def plan_of(field_def: GraphQLField) -> PlainLeaf | None:
    found = _plans.get(id(field_def))
    if found is None:
        found = _plans[id(field_def)] = (field_def, plain_leaf(field_def))
    return found[1]


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field_def = self.schema.get_field(parent_type, node.name.value)
        middleware = self.middleware_manager
        plan = (
            plan_of(field_def)
            if field_def is not None
            and not node.arguments
            and (middleware is None or not middleware.middlewares)
            else None
        )
        if plan is None or field_def is None:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        try:
            result = getattr(source, plan.attribute)
            if not isinstance(result, NEVER_AWAITABLE) and self.is_awaitable(result):
                # Not a plain attribute after all: graphql-core reads it again.
                return super().execute_field(
                    parent_type, source, field_details_list, path, position_context
                )
            if isinstance(result, Exception):
                raise result
            if result is None or result is Undefined:
                if plan.non_null:
                    # graphql-core's message (Executor.complete_value)
                    msg = (
                        "Cannot return null for non-nullable field"
                        f" {parent_type}.{node.name.value}."
                    )
                    raise TypeError(msg)
                return None
            return self.complete_leaf_value(plan.leaf, result)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_def.type, field_details_list, path)
            return None
