"""Parsing and validating a query, cached per query text.

strawberry's ValidationCache keys its LRU cache on the parsed document: every
request hashed the whole syntax tree (about 40-90 microseconds for the read
mix's small queries, more than a tierCoverage's own execution) and compared it
on a hit. Here both steps are keyed on the query text itself (with the parse
options and the validation rules: the limits are part of the key, and an
introspection setting gives other rules), as one extension instead of two.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

MAXSIZE = 512  # query texts kept, for each of the two steps

_parsed = lru_cache(maxsize=MAXSIZE)(parse)
# (schema, query, parse options, rules) -> the validation's errors, least recent first
_validated: OrderedDict[tuple[Any, ...], list[GraphQLError]] = OrderedDict()


class DocumentCache(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = _parsed(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        schema = context.schema._schema
        rules = context.validation_rules
        key = (schema, context.query, tuple(context.parse_options.items()), rules)
        errors = _validated.get(key)
        if errors is None:
            assert context.graphql_document is not None  # parsed, or the request ended
            errors = validate_document(schema, context.graphql_document, rules)
            _validated[key] = errors
            while len(_validated) > MAXSIZE:
                _validated.popitem(last=False)
        else:
            _validated.move_to_end(key)
        context.pre_execution_errors = errors
        yield
