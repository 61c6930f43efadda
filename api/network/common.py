"""What every member query's resolver does: take the request's principal, call one
service function, and share the request's DataLoaders.

Where the service runs (`runs_inline`): a query on the embedded store runs on the
event loop itself once the cascade's projection is current. Its reads are pages of
a local SQLite file (tens of microseconds), and a hop to a worker thread cost more
than the call: under load each hop also waited for the GIL, several times per
call. Everything else runs in a worker thread: on Neo4j every read is a round
trip, a mutation may wait for SQLite's write lock, and a projection that must be
loaded, built or brought up to date takes milliseconds to seconds. What a member's
view computes once per graph version (its walk, a requirement's coverage, an audit
day's status: 20-150 ms at 200,000 organisations) can run inline, on the first
query that needs it after a write.

A mutation on the embedded store runs in the process's one writer thread
(`WRITER`), not in the default pool: SQLite takes one write at a time anyway, and
mutations in several threads only competed with each other for its lock (its busy
handler sleeping) and for the GIL with the event loop, where the reads run
(docs/api.md, "Performance"). On Neo4j each write is round trips and they run in
the default pool, several at a time.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from graphql import GraphQLError, OperationType
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from access.principal import Principal
from cascade import projection as projections
from graph import read_scope
from graph.store import GraphStore
from mutations.checks import camel, storable

T = TypeVar("T")
WRITER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiergraph-writer")


def principal_of(info: Info) -> Principal:
    principal = info.context.principal
    if principal is None:  # the app answers 401 before this; a context built without one
        raise GraphQLError("no valid API key", extensions={"code": "UNAUTHENTICATED"})
    return principal


def local(store: GraphStore) -> bool:
    """Whether the store's reads are local file pages (the embedded store), not round trips."""
    from graph.sqlite_store import SqliteStore

    return isinstance(store, SqliteStore)


def runs_inline(info: Info) -> bool:
    """A query on the embedded store whose projection is current (see the module)."""
    store = info.context.store
    return (
        info.operation.operation == OperationType.QUERY
        and local(store)
        and projections.is_current(store)
    )


def readable(arguments: dict[str, Any]) -> None:
    """A query's arguments as a mutation's are checked (mutations.record.perform): a
    NUL or a lone surrogate is BAD_USER_INPUT naming its argument, not an id that
    SQLite's JSON functions end at the NUL ("F-2\\u0000x" read as F-2) or that Redis
    cannot encode."""
    for name, value in arguments.items():
        if type(value) is str or isinstance(value, list | tuple | dict):
            storable(value, camel(name))


async def run(info: Info, service: Callable[..., T], /, **arguments: Any) -> T:
    """`service(**arguments)` on the event loop or in a worker thread (see the module)."""
    if runs_inline(info):
        return service(**arguments)
    store, ready = info.context.store, lambda: projections.is_current(info.context.store)
    found = read_scope.without_io(store, service, arguments, ready)  # Neo4j, all in memory
    if found is not read_scope.NOT_ANSWERED:
        return found  # type: ignore[return-value]
    if info.operation.operation == OperationType.MUTATION and local(store):
        return await in_writer(service, arguments)
    return await asyncio.to_thread(service, **arguments)


async def in_writer(service: Callable[..., T], arguments: dict[str, Any]) -> T:
    """`service(**arguments)` in the writer thread (see the module), in this context
    (the request's read scope), as asyncio.to_thread runs it in the default pool."""
    context = contextvars.copy_context()
    call = partial(context.run, service, **arguments)
    return await asyncio.get_running_loop().run_in_executor(WRITER, call)


async def call(info: Info, service: Callable[..., T], **arguments: Any) -> T:
    """One service function with the principal and the store; a query's arguments
    checked first (`readable`; a DataLoader's batch of stored ids is not)."""
    if info.operation.operation == OperationType.QUERY:
        readable(arguments)
    principal = principal_of(info)
    return await run(info, service, principal=principal, store=info.context.store, **arguments)


class Loader(DataLoader[Any, Any]):
    """strawberry's DataLoader, but load_many fetches the keys this request has not
    loaded yet in one batch call and keeps the values as they are: strawberry's makes
    a future per key and resolves each through the event loop (100 on a page, a tenth
    of the page's time). A single load of a key load_many has is given it as a done
    future then."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loaded: dict[Any, Any] = {}  # load_many's values, by key

    def load(self, key: Any) -> Awaitable[Any]:
        if key in self.loaded and self.cache_map.get(key) is None:
            self.prime(key, self.loaded[key])
        return super().load(key)

    async def load_many(self, keys: Iterable[Any]) -> list[Any]:  # type: ignore[override]
        keys = list(keys)
        loaded, cache = self.loaded, self.cache_map
        missing = [k for k in dict.fromkeys(keys) if k not in loaded and cache.get(k) is None]
        if missing:
            found = await self.load_fn(missing)
            for value in found:
                if isinstance(value, BaseException):
                    raise value
            loaded.update(zip(missing, found, strict=True))
        out = []
        for key in keys:
            if key in loaded:
                out.append(loaded[key])
                continue
            # A key a single load asked for: its future's result, or wait for its batch.
            future = cache.get(key)
            out.append(
                future.result() if future is not None and future.done() else await self.load(key)
            )
        return out


def loader(info: Info, name: str, batch: Callable[..., list[Any]]) -> DataLoader[Any, Any]:
    """This request's DataLoader `name` over the service `batch(principal, store, ids)`;
    made on first use, dropped with the request."""
    loaders = info.context.loaders
    if name not in loaders:
        principal, store = principal_of(info), info.context.store

        async def load_fn(keys: list[Any]) -> list[Any]:
            return await run(info, batch, principal=principal, store=store, ids=list(keys))

        loaders[name] = Loader(load_fn=load_fn)
    return loaders[name]
