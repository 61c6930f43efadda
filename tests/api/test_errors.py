"""Every GraphQL error carries `extensions.code` (api/errors.py): a service's
refusal keeps its code and message, a bad document or argument is
BAD_USER_INPUT, anything else INTERNAL with nothing of the exception in it."""

from __future__ import annotations

import asyncio
import datetime
import logging

import pytest
import strawberry

from access.errors import BadUserInput, Forbidden, NotFound
from api.errors import CodedErrors, CodedSchema
from api.limits import MAX_TOKENS, OperationLimits


@strawberry.type
class Query:
    @strawberry.field
    def forbidden(self) -> str:
        raise Forbidden("an analyst writes nothing")

    @strawberry.field
    def hidden(self) -> str:
        raise NotFound("organisation", "S9")

    @strawberry.field
    def bad_tier(self, tier: int) -> str:
        raise BadUserInput("tier", f"must be 1 or more, not {tier}")

    @strawberry.field
    def broken(self) -> str | None:
        raise ConnectionError("bolt://db.internal:7687 refused MATCH (m:Member)")

    @strawberry.field
    def day(self, as_of: datetime.date) -> str:
        return as_of.isoformat()

    @strawberry.field
    def ok(self) -> str:
        return "ok"


schema = CodedSchema(query=Query, extensions=[OperationLimits, CodedErrors])


def run(query: str, variables: dict | None = None) -> tuple[object, list[tuple[str, str]]]:
    result = asyncio.run(schema.execute(query, variable_values=variables))
    errors = [(e.message, (e.extensions or {}).get("code")) for e in result.errors or []]
    return result.data, errors


@pytest.mark.parametrize(
    ("field", "message", "code"),
    [
        ("forbidden", "an analyst writes nothing", "FORBIDDEN"),
        ("hidden", "no organisation 'S9'", "NOT_FOUND"),
        ("badTier(tier: 0)", "tier: must be 1 or more, not 0", "BAD_USER_INPUT"),
    ],
)
def test_a_service_refusal_keeps_its_code_and_message(field, message, code):
    data, errors = run("{ ok " + field + " }")
    assert data is None  # the field is non-null: the error reaches the root
    assert errors == [(message, code)]


def test_an_unexpected_error_is_internal_masked_and_logged(caplog):
    with caplog.at_level(logging.ERROR, logger="api.errors"):
        data, errors = run("{ ok broken }")
    assert data == {"ok": "ok", "broken": None}  # the rest of the answer stands
    assert errors == [("Unexpected error.", "INTERNAL")]
    assert "db.internal" in caplog.text and "ConnectionError" in caplog.text


def test_refusals_are_not_logged_as_server_errors(caplog):
    with caplog.at_level(logging.ERROR):
        run("{ hidden }")
        run("{ nothingHere }")
    assert caplog.records == []


@pytest.mark.parametrize(
    ("query", "variables", "says"),
    [
        ("{ nothingHere }", None, "Cannot query field 'nothingHere'"),
        ("{ ok", None, "Syntax Error"),
        ('{ day(asOf: "yesterday") }', None, "cannot represent a Date"),
        ("query($d: Date!) { day(asOf: $d) }", {"d": "2026-13-40"}, "Variable '$d'"),
        ("query($t: Int!) { badTier(tier: $t) }", {"t": "two"}, "Variable '$t'"),
        ("{ " + "ok " * MAX_TOKENS + "}", None, f"more than {MAX_TOKENS} tokens"),
        ("{ __schema { types { name } } }", None, "introspection has been disabled"),
    ],
)
def test_a_bad_document_argument_or_variable_is_bad_user_input(query, variables, says):
    data, errors = run(query, variables)
    assert data is None and errors
    assert all(code == "BAD_USER_INPUT" for _, code in errors), errors
    assert says in errors[0][0]
