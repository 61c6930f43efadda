"""A GraphQL request's JSON body is parsed once: the parse that decides whether the
request may write (api.auth.may_write) is the one the GraphQL view takes for the
same body (api.errors.CodedGraphQL.decode_json); another body is parsed anew."""

from __future__ import annotations

import asyncio

from starlette.requests import Request

from api.auth import may_write
from api.errors import CodedGraphQL
from api.schema import schema

BODY = b'{"query": "{ me { role } }", "variables": {"a": [1, 2]}}'


def request(body: bytes) -> Request:
    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": body, "more_body": False}

    return Request({"type": "http", "method": "POST", "headers": [], "query_string": b""}, receive)


def test_the_view_takes_the_parse_may_write_made_of_the_same_body():
    view = CodedGraphQL(schema, context_getter=None)  # type: ignore[arg-type]

    async def one_request() -> tuple[object, object, object]:
        asked = request(BODY)
        assert await may_write(asked) is False
        body = await asked.body()
        return (
            view.decode_json(body),
            view.decode_json(body),
            view.decode_json(bytes(bytearray(body))),
        )

    first, again, other = asyncio.run(one_request())
    assert first == {"query": "{ me { role } }", "variables": {"a": [1, 2]}}
    assert again is first  # one parse for the request
    assert other == first and other is not first  # another body (equal bytes): its own parse


def test_a_body_that_is_no_json_is_still_refused_by_the_view():
    import json

    import pytest

    view = CodedGraphQL(schema, context_getter=None)  # type: ignore[arg-type]

    async def one_request() -> None:
        asked = request(b"not json")
        assert await may_write(asked) is True
        with pytest.raises(json.JSONDecodeError):  # strawberry answers it 400
            view.decode_json(await asked.body())

    asyncio.run(one_request())


def test_a_body_orjson_refuses_is_parsed_as_strawberry_parses_it():
    """A lone surrogate is JSON that orjson refuses: may_write counts it as a write,
    the view parses it with json and the schema refuses it naming its field."""
    view = CodedGraphQL(schema, context_getter=None)  # type: ignore[arg-type]
    body = b'{"query": "{ me { role } }", "variables": {"x": "k\\ud800"}}'

    async def one_request() -> object:
        asked = request(body)
        assert await may_write(asked) is True
        return view.decode_json(await asked.body())

    assert asyncio.run(one_request()) == {
        "query": "{ me { role } }",
        "variables": {"x": "k\ud800"},
    }
