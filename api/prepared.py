"""Prepared operations: a document text and operation name, parsed, validated
(limits included) and its operation found once; then per request only the
variables are coerced and the operation run (api/edge.py).

An operation is prepared after a request with a valid key sent it through the
normal path (api/app.py); the edge only looks prepared operations up (`known`).
Only a document that parses, has the named operation (a query or a mutation)
and passes every validation rule is prepared. Anything else (a syntax error, a
broken limit, a subscription, no such operation) is None: the request goes the
normal strawberry way, which answers it with its own errors, so the prepared
path never has to make a pre-execution error itself.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, NamedTuple

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)

from api.direct import may_be_direct
from api.fastpath import share_plans
from api.limits import MAX_TOKENS, operation_rules

MAXSIZE = 512  # (document, operation name, introspection) kept, least recent dropped


class Prepared(NamedTuple):
    query: str  # the document's text
    document: DocumentNode
    operation: OperationType
    direct: bool = False  # may be answered without graphql-core's executor (api/direct.py)
    # a mutation whose root fields write only through their store's apply: its key's
    # record may be read with its first round trip (graph.key_ahead, api/edge.py)
    key_ahead: bool = False


_NOT_PREPARED = object()
_kept: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def _prepare(
    schema: GraphQLSchema, query: str, operation_name: str | None, introspection: bool
) -> Prepared | None:
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation not in (
        OperationType.QUERY,
        OperationType.MUTATION,
    ):
        return None
    # strawberry's rules (graphql-core's specified ones), then the API's limits
    # (api.limits.OperationLimits adds the same ones in the same order).
    rules = (*specified_rules, *operation_rules(introspection))
    if validate(schema, document, rules):
        return None
    if "@" not in query:  # no directive: its plans are the same in every request
        share_plans(operation)
    direct = may_be_direct(query, len(document.definitions), operation)
    ahead = reads_key_ahead(schema, operation)
    return Prepared(query, document, operation.operation, direct, ahead)


def reads_key_ahead(schema: GraphQLSchema, operation: OperationDefinitionNode) -> bool:
    """A mutation of root fields only of a type that says its fields write only
    through the store's apply (`WRITES_THROUGH_APPLY`, api.mutations.mutations)."""
    root = schema.mutation_type
    if operation.operation != OperationType.MUTATION or root is None:
        return False
    for node in operation.selection_set.selections:
        field = root.fields.get(node.name.value) if isinstance(node, FieldNode) else None
        made = field.extensions.get("strawberry-definition") if field is not None else None
        if not getattr(getattr(made, "origin", None), "WRITES_THROUGH_APPLY", False):
            return False
    return True


def known(
    schema: GraphQLSchema, query: str, operation_name: str | None, introspection: bool
) -> Prepared | None:
    """The operation as prepared before, or None (never prepared, or not preparable):
    looked up only, so that a request without a valid key never makes the server
    parse anything (`prepared` is called after the key check, api/app.py)."""
    found = _kept.get((schema, query, operation_name, introspection))
    return found if isinstance(found, Prepared) else None


def writes(found: Prepared | None, query: Any) -> bool:
    """Whether a request may run a mutation (then its key's record is read again
    whatever the key cache holds, so that a revoked key never writes): the prepared
    operation's type when its document was prepared; before that, anything not
    plainly a query (a query that is no string, or a text with the word
    `mutation`, which every mutation operation has). api/edge.py and api.auth.may_write
    both ask this."""
    if found is not None:
        return found.operation == OperationType.MUTATION
    return type(query) is not str or "mutation" in query


def prepared(
    schema: GraphQLSchema, query: str, operation_name: str | None, introspection: bool
) -> Prepared | None:
    """The operation prepared (now, when it never was), or None when the normal path
    must answer it."""
    key = (schema, query, operation_name, introspection)
    found = _kept.get(key, _NOT_PREPARED)
    if found is _NOT_PREPARED:
        found = _prepare(schema, query, operation_name, introspection)
        _kept[key] = found
        while len(_kept) > MAXSIZE:
            _kept.popitem(last=False)
    else:
        _kept.move_to_end(key)
    return found  # type: ignore[no-any-return]
