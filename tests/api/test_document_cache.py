"""api/document_cache.py: a query text is parsed and validated once, and the
answer to validation follows the rules in force (introspection on or off) and
the query text, never a neighbour's."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import api.document_cache as cache
from api.schema import Context, build_schema
from graph.sqlite_store import SqliteStore

COMPARE_FAST_AND_PLAIN = False  # counts validations: a second answer would add its own

INTROSPECT = "{ __schema { queryType { name } } }"


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = cache.validate_document

    def counted(schema: Any, document: Any, rules: Any) -> Any:
        seen.append(document.loc.source.body)
        return original(schema, document, rules)

    monkeypatch.setattr(cache, "validate_document", counted)
    return seen


SCHEMA = build_schema()
STORE: list[SqliteStore] = []


@pytest.fixture(autouse=True)
def store(tmp_path: Any) -> Any:
    STORE[:] = [SqliteStore(tmp_path / "data")]
    yield
    STORE.pop().close()


def run(query: str, introspection: bool = False) -> Any:
    context = Context(STORE[0], None, introspection=introspection)
    return asyncio.run(SCHEMA.execute(query, context_value=context))


def test_the_same_text_is_validated_once(validations: list[str]) -> None:
    query = "{ health version }  # test_the_same_text_is_validated_once"
    for _ in range(3):
        result = run(query)
        assert result.errors is None and result.data["health"] == "ok"
    assert validations == [query]


def test_the_rules_in_force_are_part_of_the_key(validations: list[str]) -> None:
    refused = run(INTROSPECT)
    assert refused.errors and "introspection" in refused.errors[0].message.lower()
    allowed = run(INTROSPECT, introspection=True)
    assert allowed.errors is None and allowed.data["__schema"]["queryType"]["name"] == "Query"
    again = run(INTROSPECT)
    assert again.errors and again.errors[0].message == refused.errors[0].message
    assert len(validations) <= 2


def test_an_invalid_text_keeps_its_errors_and_a_valid_neighbour_its_answer() -> None:
    bad = run("{ health nope }")
    assert bad.errors and "nope" in bad.errors[0].message
    assert run("{ health nope }").errors[0].message == bad.errors[0].message
    good = run("{ health }")
    assert good.errors is None and good.data == {"health": "ok"}


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAXSIZE", 4)
    for i in range(10):
        assert run(f"{{ health }} # {i}").errors is None
    assert len(cache._validated) <= 4
