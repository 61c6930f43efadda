"""The request's DataLoaders (api.network.common.Loader): load_many fetches what
the request has not loaded yet in one batch, in order, duplicates included; single
loads still batch together."""

from __future__ import annotations

import asyncio

import pytest

from api.network.common import Loader


def test_load_many_fetches_only_the_missing_keys_in_one_batch():
    batches: list[list[str]] = []

    async def fetch(keys: list[str]) -> list[str | None]:
        batches.append(keys)
        return [None if key == "absent" else key.upper() for key in keys]

    async def scenario() -> None:
        loader = Loader(load_fn=fetch)
        assert await loader.load_many(["a", "b", "a", "absent"]) == ["A", "B", "A", None]
        assert await loader.load_many(["b", "c"]) == ["B", "C"]
        assert await loader.load("c") == "C"
        assert await loader.load_many([]) == []

    asyncio.run(scenario())
    assert batches == [["a", "b", "absent"], ["c"]]


def test_single_loads_still_batch_and_share_the_cache_with_load_many():
    batches: list[list[int]] = []

    async def fetch(keys: list[int]) -> list[int]:
        batches.append(keys)
        return [key * 10 for key in keys]

    async def scenario() -> None:
        loader = Loader(load_fn=fetch)
        assert await asyncio.gather(loader.load(1), loader.load(2)) == [10, 20]
        assert await loader.load_many([2, 3]) == [20, 30]

    asyncio.run(scenario())
    assert batches == [[1, 2], [3]]


def test_a_failed_batch_fails_the_load():
    async def fetch(keys: list[int]) -> list[object]:
        return [ValueError("no such key") for _ in keys]

    async def broken(keys: list[int]) -> list[int]:
        raise ConnectionError("the store went away")

    with pytest.raises(ValueError):
        asyncio.run(Loader(load_fn=fetch).load_many([1]))
    with pytest.raises(ConnectionError):
        asyncio.run(Loader(load_fn=broken).load_many([1]))
