"""graph/per_store.py: one object per store, made once even when threads ask at once,
replaced by put, and gone with its store."""

from __future__ import annotations

import gc
import threading

from graph.per_store import per_store


class _Store:
    pass


def test_one_object_per_store_made_once_under_concurrent_asks() -> None:
    made: list[object] = []
    registry = per_store(lambda store: made.append(store) or object())
    store = _Store()
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(registry.get(store))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert made == [store]
    assert len({id(obj) for obj in got}) == 1
    assert registry.get(_Store()) is not got[0]  # another store, another object


def test_put_replaces_and_entries_go_with_their_store() -> None:
    registry = per_store(lambda store: "made")
    store = _Store()
    registry.put(store, "mine")
    assert registry.get(store) == "mine"
    del store
    gc.collect()
    assert len(registry._made) == 0
