"""One object per store, made when first asked and dropped with the store.

Several modules keep something per store (shared version reads, export places, job
runners): a weak map keyed by the store, so a store that is gone takes its entry
with it, and a lock, so two threads asking at once get the same object.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class PerStore(Generic[T]):
    """`get(store)` gives the store's object, made by `factory(store)` the first time."""

    def __init__(self, factory: Callable[[Any], T]) -> None:
        self._factory = factory
        self._made: weakref.WeakKeyDictionary[Any, T] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, store: Any) -> T:
        with self._lock:
            found = self._made.get(store)
            if found is None:
                found = self._made[store] = self._factory(store)
            return found

    def put(self, store: Any, value: T) -> None:
        """Use this object for the store from now on (tests; an app that builds its own)."""
        with self._lock:
            self._made[store] = value


def per_store(factory: Callable[[Any], T]) -> PerStore[T]:
    return PerStore(factory)
