"""api/fastpath.py answers exactly what graphql-core answers, values and errors,
on the cases a plain attribute can go wrong in; and it is what the API runs."""

from __future__ import annotations

import asyncio
import enum
from datetime import date
from typing import Any

import orjson
import strawberry
from strawberry.extensions import SchemaExtension

from api.fastpath import FastExecutionContext, plain_leaf
from api.schema import schema as api_schema
from tests.api import conftest


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Row:
    id: strawberry.ID
    name: str
    nickname: str | None
    colour: Colour
    maybe_colour: Colour | None
    day: date
    score: float
    count: int
    flag: bool

    @strawberry.field
    def shouted(self) -> str:
        return self.name.upper()


def row(**changes: Any) -> Row:
    values: dict[str, Any] = dict(
        id="r1", name="Acme", nickname=None, colour=Colour.RED, maybe_colour=None,
        day=date(2026, 12, 1), score=1.5, count=3, flag=True,
    )  # fmt: skip
    values.update(changes)
    return Row(**values)


ROWS = [
    row(),
    row(id="r2", nickname="ac", maybe_colour=Colour.BLUE),
    row(id="r3", name=None),  # a non-null field without a value
    row(id="r4", colour="green"),  # not a value of the enum
    row(id="r5", maybe_colour="green"),  # the same, nullable
    row(id="r6", day="not a date"),
    row(id="r7", count="many"),  # Int cannot represent it
    row(id="r8", nickname=ValueError("kept as the value")),  # graphql-core raises it
    row(id="r9", flag=None, count=None),  # two errors in one row
]


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Tagged(Named):  # an interface: strawberry checks is_type_of, graphql-core's path
    tag: str


@strawberry.type
class Holder:
    """Plain attributes holding objects and lists: answered in one pass when plain."""

    label: str
    row: Row | None
    must: Row
    rows: list[Row]
    maybe_rows: list[Row | None] | None
    names: list[str]
    tagged: Tagged | None = None


GOOD = ROWS[:2]


def holder(**changes: Any) -> Holder:
    values: dict[str, Any] = dict(
        label="h", row=ROWS[0], must=ROWS[1], rows=GOOD, maybe_rows=[ROWS[0], None],
        names=["a", "b"], tagged=Tagged(name="t", tag="x"),
    )  # fmt: skip
    values.update(changes)
    return Holder(**values)


HOLDERS = [
    holder(),
    holder(label="nulls", row=None, maybe_rows=None, names=[]),
    holder(label="tuple", rows=tuple(GOOD)),
    holder(label="bad row", rows=[ROWS[0], ROWS[2]]),  # a non-null field of a row is null
    holder(label="null row", rows=[ROWS[0], None]),  # a null item of a non-null list
    holder(label="bad enum", row=ROWS[3]),
    holder(label="must", must=None),  # a non-null object is null: the holder is null
    holder(label="range", names=range(2)),  # iterable, not a list or tuple
    holder(label="string", names="ab"),  # graphql-core refuses it
    holder(label="error", row=ValueError("row")),
    holder(label="name error", names=["a", None]),
]


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[Row | None]:  # a row that fails is null, the others stay
        return ROWS

    @strawberry.field
    def one(self) -> Row:
        return ROWS[2]  # the null propagates to the root

    @strawberry.field
    def holders(self) -> list[Holder | None]:
        return HOLDERS


QUERIES = [
    "{ rows { id name nickname colour maybeColour day score count flag shouted __typename } }",
    "{ rows { ... on Row { a: id b: id name } } }",
    "{ rows { id name @skip(if: true) nickname @include(if: false) } }",
    "{ one { id name } }",
    "{ rows { id } one { colour } }",
    "{ holders { label row { id colour day } must { id name } rows { id name count } "
    "maybeRows { id maybeColour } names } }",
    "{ holders { label rows { id ... on Row { name } shouted } } }",
    "{ holders { label row { __typename id } tagged { name tag } } }",
    "{ holders { label rows { id @skip(if: false) name } must @include(if: true) { id } } }",
    "{ holders { a: rows { id } b: rows { name } rows { id } rows { score } } }",
]


def run(schema: strawberry.Schema, query: str) -> bytes:
    result = asyncio.run(schema.execute(query))
    errors = [error.formatted for error in result.errors or []]
    return orjson.dumps({"data": result.data, "errors": errors})


def test_fast_and_plain_give_the_same_bytes() -> None:
    fast = strawberry.Schema(query=Query, execution_context_class=FastExecutionContext)
    plain = strawberry.Schema(query=Query)
    for query in QUERIES:
        assert run(fast, query) == run(plain, query), query
    # The cases above do fail: they are not equal because both answer nothing.
    first = orjson.loads(run(fast, QUERIES[0]))
    messages = [error["message"] for error in first["errors"]]
    assert any("Cannot return null for non-nullable field Row.name." in m for m in messages)
    assert any("kept as the value" in m for m in messages)
    assert len(first["data"]["rows"]) == len(ROWS)
    objects = orjson.loads(run(fast, QUERIES[5]))
    assert objects["data"]["holders"][0]["rows"] == [
        {"id": "r1", "name": "Acme", "count": 3},
        {"id": "r2", "name": "Acme", "count": 3},
    ]
    assert objects["data"]["holders"][1]["row"] is None
    assert objects["data"]["holders"][6] is None  # `must` was null
    assert len(objects["errors"]) >= 6


class Shout(SchemaExtension):
    """A resolve hook: every field must then run graphql-core's way, through it."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        value = _next(root, info, *args, **kwargs)
        return value.upper() if isinstance(value, str) else value


def test_resolve_hooks_still_run_on_plain_fields() -> None:
    fast = strawberry.Schema(
        query=Query, extensions=[Shout], execution_context_class=FastExecutionContext
    )
    answer = orjson.loads(run(fast, "{ rows { id name } }"))
    assert answer["data"]["rows"][0] == {"id": "R1", "name": "ACME"}


def test_the_api_runs_the_fast_path_on_its_plain_fields() -> None:
    assert api_schema.execution_context_class is FastExecutionContext
    page = api_schema._schema.get_type("NetworkNode")
    assert page is not None
    fields = page.fields  # type: ignore[attr-defined]
    assert {name for name, f in fields.items() if plain_leaf(f)} == {
        "id", "tier", "kind", "name", "country"
    }  # fmt: skip
    # Its schema extensions have no resolve hook (that would take the slow path).
    assert not any(e._implements_resolve() for e in api_schema.get_extensions())


def test_queries_sent_to_the_api_schema_are_compared() -> None:
    # tests/api/conftest.py answers every query of tests/api both ways.
    before = len(conftest.compared)
    result = asyncio.run(api_schema.execute("{ health version }"))
    assert result.errors is None and result.data is not None
    assert result.data["health"] == "ok"
    assert len(conftest.compared) == before + 1
    assert conftest.PLAIN.execution_context_class is not FastExecutionContext


def test_kept_plans_are_found_by_the_operations_identity_and_forgotten_with_it():
    import gc

    from graphql import parse

    from api.fastpath import ByIdentity

    kept: ByIdentity[str] = ByIdentity()
    one, same = parse("{ health }").definitions[0], parse("{ health }").definitions[0]
    assert one == same  # equal nodes (their hash is their tree's), not the same node
    assert kept.setdefault(one, "one") == "one"
    assert kept.get(one) == "one" and kept.get(same) is None
    assert kept.setdefault(one, "again") == "one"
    del one
    gc.collect()
    assert len(kept) == 0
