"""Plain fields answered without graphql-core's per-field machinery.

A 100-row page is 500-830 fields, most of them an attribute of a dataclass
(`id`, `name`, `tier`): graphql-core makes a Path and a ResolveInfo for each,
calls strawberry's default resolver through two wrappers and walks
`complete_value`, and for each row object `complete_object_value` and
`execute_fields` again. `FastExecutionContext` answers a *plain* field in one
pass: its resolver is strawberry's plain attribute getter, it takes no
arguments, and its type is a scalar or an enum, an object type without an
`is_type_of` check whose selected fields are all plain, or a list of either
(each maybe non-null). Leaves are coerced with the type's own
`coerce_output_value`; objects become the dict graphql-core would build, in
the same field order. When anything in that pass is not a plain value (a null
for a non-null field or list item, a value the enum or scalar refuses, an
exception, an awaitable, a list that is no list or tuple) the whole field goes
through graphql-core's `execute_field` unchanged, which reads the attributes
again and makes the errors itself. Fields with resolvers, arguments or
directives, interfaces and unions, `@defer`red fragments, introspection, and
every request with resolve middleware (a schema extension with a `resolve`
hook) take graphql-core's path. tests/api/conftest.py answers every query of
tests/api both ways and compares the bytes.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from enum import Enum
from types import CoroutineType, GeneratorType
from typing import Any, Generic, NamedTuple, TypeVar

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    is_enum_type,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# strawberry's resolver for a field with no resolver, no field extensions and no
# exception handler (strawberry.schema.schema_converter.from_resolver).
BASIC_RESOLVER = "_get_basic_result"
STRAWBERRY_FIELD = "strawberry-definition"
PLAIN_TYPES = {str, int, float, bool}  # never an exception or an awaitable
BUILT_IN = (GraphQLString, GraphQLID, GraphQLBoolean, GraphQLInt)
SAME = {"String": str, "ID": str, "Boolean": bool}
MIN_INT, MAX_INT = -(2**31), 2**31 - 1  # graphql-core's Int
ENUM_NAMES_KEPT = 256
NEVER_AWAITABLE: dict[type, bool] = {kind: True for kind in PLAIN_TYPES}
LISTS = (list, tuple)


class PlainLeaf(NamedTuple):
    attribute: str
    leaf: GraphQLLeafType
    non_null: bool


def plain_attribute(field_def: GraphQLField | None) -> str | None:
    """The attribute strawberry's resolver reads for this field, or None when the
    field has a resolver of its own (or arguments, extensions...)."""
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
    return str(field.python_name)


def plain_leaf(field_def: GraphQLField | None) -> PlainLeaf | None:
    """What to read for this field when it is a plain scalar or enum, else None."""
    attribute = plain_attribute(field_def)
    if attribute is None or field_def is None:
        return None
    kind: Any = field_def.type
    non_null = isinstance(kind, GraphQLNonNull)
    if non_null:
        kind = kind.of_type
    if not is_leaf_type(kind):
        return None
    return PlainLeaf(attribute, kind, non_null)


def never_awaitable(kind: type) -> bool:
    """Whether no value of this type is an exception, Undefined or awaitable, what
    graphql-core checks each value for (strawberry types, dates): asked once per type."""
    found = NEVER_AWAITABLE.get(kind)
    if found is None:
        found = NEVER_AWAITABLE[kind] = not (
            issubclass(kind, BaseException)
            or kind is type(Undefined)
            or kind in (CoroutineType, GeneratorType)
            or hasattr(kind, "__await__")
        )
    return found


class NotPlain(Exception):
    """Something in a plain field's value that graphql-core must answer itself."""


class Shape:
    """How a value of one GraphQL type is answered (the type's nullability is the
    caller's: `complete` is given a value that is not None)."""

    def complete(self, value: Any) -> Any:
        raise NotImplementedError


class LeafShape(Shape):
    def __init__(self, leaf: GraphQLLeafType, is_awaitable: Callable[[Any], bool]) -> None:
        self.coerce = leaf.coerce_output_value
        self.is_awaitable = is_awaitable
        # Values the type answers as they are: graphql-core's String and ID return
        # a str unchanged, Boolean a bool; an Int an int within 32 bits.
        self.same = SAME.get(leaf.name) if any(leaf is t for t in BUILT_IN) else None
        self.int = leaf is GraphQLInt
        # An enum's members answer their names: each member's coerced once.
        self.names: dict[Any, tuple[type, Any]] | None = {} if is_enum_type(leaf) else None

    def complete(self, value: Any) -> Any:
        kind = type(value)
        if kind is self.same or (self.int and kind is int and MIN_INT <= value <= MAX_INT):
            return value
        names = self.names
        if names is not None:
            try:
                known = names.get(value)
            except TypeError:  # not hashable: not a member
                known = None
            if known is not None and known[0] is kind:
                return known[1]
        if not never_awaitable(kind) and (
            isinstance(value, Exception) or value is Undefined or self.is_awaitable(value)
        ):
            raise NotPlain
        try:
            coerced = self.coerce(value)
        except Exception:
            raise NotPlain from None
        if coerced is None or coerced is Undefined:
            raise NotPlain
        if names is not None and isinstance(value, Enum) and len(names) < ENUM_NAMES_KEPT:
            names[value] = (kind, coerced)
        return coerced


class FieldShape(NamedTuple):
    """A plain field: the attribute read, its value's shape, whether it is non-null."""

    attribute: str
    shape: Shape
    non_null: bool

    def answer(self, source: Any) -> Any:
        try:
            value = getattr(source, self.attribute)
        except Exception:  # graphql-core raises it again, and locates it
            raise NotPlain from None
        if value is None:
            if self.non_null:
                raise NotPlain
            return None
        return self.shape.complete(value)


class ObjectShape(Shape):
    def __init__(self, fields: list[tuple[str, FieldShape]], is_awaitable: Any) -> None:
        self.fields = [(name, f.attribute, f.non_null, f.shape.complete) for name, f in fields]
        self.is_awaitable = is_awaitable

    def complete(self, value: Any) -> Any:
        if not never_awaitable(type(value)) and (
            isinstance(value, Exception) or value is Undefined or self.is_awaitable(value)
        ):
            raise NotPlain
        out: dict[str, Any] = {}
        for name, attribute, non_null, complete in self.fields:  # FieldShape.answer, inline
            try:
                field = getattr(value, attribute)
            except Exception:
                raise NotPlain from None
            if field is None:
                if non_null:
                    raise NotPlain
                out[name] = None
            else:
                out[name] = complete(field)
        return out


class ListShape(Shape):
    def __init__(self, item: Shape, item_non_null: bool) -> None:
        self.item = item
        self.item_non_null = item_non_null

    def complete(self, value: Any) -> Any:
        if type(value) not in LISTS:  # a generator, a mapping, a string: graphql-core's
            raise NotPlain
        complete = self.item.complete
        out: list[Any] = []
        for item in value:
            if item is None:
                if self.item_non_null:
                    raise NotPlain
                out.append(None)
            else:
                out.append(complete(item))
        return out


V = TypeVar("V")


class ByIdentity(Generic[V]):
    """A mapping weakly keyed by an object's identity. A graphql-core AST node's hash
    is its whole tree's (a WeakKeyDictionary lookup of an operation hashed each of its
    nodes, a fifth of a small request's execution in cProfile): this looks it up by `id`, and
    forgets it when the node is gone."""

    def __init__(self) -> None:
        self._found: dict[int, tuple[weakref.ref[Any], V]] = {}

    def get(self, key: Any) -> V | None:
        found = self._found.get(id(key))
        if found is None or found[0]() is not key:
            return None
        return found[1]

    def setdefault(self, key: Any, value: V) -> V:
        kept = self.get(key)
        if kept is not None:
            return kept
        number = id(key)

        def forget(ref: weakref.ref[Any]) -> None:
            found = self._found.get(number)
            if found is not None and found[0] is ref:
                del self._found[number]

        self._found[number] = (weakref.ref(key, forget), value)
        return value

    def __len__(self) -> int:
        return len(self._found)


KEPT: weakref.WeakKeyDictionary[GraphQLSchema, dict[Any, Any]] = weakref.WeakKeyDictionary()
# Plans kept across requests, per operation of a prepared document (api/prepared.py)
# that has no directive: its selections are then collected the same way whatever
# the variables, so a selection's plain fields are the same in every request.
SHARED_PLANS: ByIdentity[dict[Any, Any]] = ByIdentity()


def share_plans(operation: OperationDefinitionNode) -> None:
    """Keep the plans of this operation (of a document without directives) across requests."""
    SHARED_PLANS.setdefault(operation, {})


# One selection's fields: (response name, its field nodes, the plain field or None).
Plan = list[tuple[str, Any, FieldShape | None]]


class FastExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        self.plain_allowed = middleware is None or not middleware.middlewares
        # graphql-core collects a selection once per request and gives every row
        # of a list the same grouped field set: its plan is made once too. The
        # set is kept with it so that its id is not reused during the request.
        self.plans: dict[tuple[str, int], tuple[Any, Plan]] = {}
        # What the schema alone decides (is a field plain, a leaf's shape): kept with it.
        self.kept = KEPT.setdefault(self.schema, {})
        self.shared = SHARED_PLANS.get(self.operation) if self.plain_allowed else None

    def release(self) -> None:
        """Break the context's reference cycle once its operation is answered:
        graphql-core binds its helpers for resolvers to the context itself
        (`async_helpers`), so a context and everything it holds (variables, plans,
        errors; 22-26 objects a request) outlived the request until the cyclic
        garbage collector found them; under the served write mix on Neo4j the
        collections (full ones 100-400 ms, every request of the process waiting)
        took 7% of the server's CPU. Without the cycle reference counting frees it
        all when the request ends."""
        del self.async_helpers

    def plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Plan:
        key = (parent_type.name, id(grouped_field_set))
        found = self.plans.get(key)
        if found is None and self.shared is not None:
            # The selection is known by its fields' first nodes (the document's own).
            shared_key = (parent_type.name, *(id(d[0].node) for d in grouped_field_set.values()))
            shapes = self.shared.get(shared_key)
            if shapes is None:
                shapes = self.shared[shared_key] = [
                    self.plain_field(parent_type, details) for details in grouped_field_set.values()
                ]
            plan: Plan = [
                (name, details, shape)
                for (name, details), shape in zip(grouped_field_set.items(), shapes, strict=True)
            ]
            found = self.plans[key] = (grouped_field_set, plan)
        if found is None:
            plan = [
                (
                    name,
                    details,
                    self.plain_field(parent_type, details) if self.plain_allowed else None,
                )
                for name, details in grouped_field_set.items()
            ]
            found = self.plans[key] = (grouped_field_set, plan)
        return found[1]

    def plain_field(self, parent_type: GraphQLObjectType, details: Any) -> FieldShape | None:
        """The field's shape when the whole of it is plain (see the module), else None."""
        node = details[0].node
        if node.arguments or any(d.node.directives for d in details):
            return None
        key = ("field", parent_type.name, node.name.value)
        found = self.kept.get(key, Undefined)
        if found is Undefined:
            found = None
            field_def = self.schema.get_field(parent_type, node.name.value)
            attribute = plain_attribute(field_def)
            if attribute is not None and field_def is not None:
                kind: Any = field_def.type
                non_null = isinstance(kind, GraphQLNonNull)
                found = (attribute, non_null, kind.of_type if non_null else kind)
            self.kept[key] = found
        if found is None:
            return None
        attribute, non_null, kind = found
        shape = self.shape_of(kind, details)
        return None if shape is None else FieldShape(attribute, shape, non_null)

    def shape_of(self, kind: Any, details: Any) -> Shape | None:
        if is_leaf_type(kind):
            key = ("leaf", kind.name, self.is_awaitable)
            leaf = self.kept.get(key)
            if leaf is None:
                leaf = self.kept[key] = LeafShape(kind, self.is_awaitable)
            return leaf
        if isinstance(kind, GraphQLList):
            item = kind.of_type
            item_non_null = isinstance(item, GraphQLNonNull)
            if item_non_null:
                item = item.of_type
            if isinstance(item, GraphQLList):  # a list of lists: graphql-core's
                return None
            shape = self.shape_of(item, details)
            return None if shape is None else ListShape(shape, item_non_null)
        if not isinstance(kind, GraphQLObjectType) or kind.is_type_of is not None:
            return None  # interfaces, unions, checked types
        grouped, deferred, _forbidden = self.collect_subfields(kind, details)
        if deferred:
            return None
        fields = []
        for name, sub in grouped.items():
            field = self.plain_field(kind, sub)
            if field is None:
                return None
            fields.append((name, field))
        return ObjectShape(fields, self.is_awaitable)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's Executor.execute_fields, with plain fields answered inline."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list, plain in self.plan(
                parent_type, grouped_field_set
            ):
                if plain is not None:
                    try:
                        results[response_name] = plain.answer(source_value)
                        continue
                    except NotPlain:
                        pass
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
