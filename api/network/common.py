"""What every member query's resolver does: take the request's principal, call one
service function off the event loop (the store port blocks), and share the
request's DataLoaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from graphql import GraphQLError
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from access.principal import Principal

T = TypeVar("T")


def principal_of(info: Info) -> Principal:
    principal = info.context.principal
    if principal is None:  # the app answers 401 before this; a context built without one
        raise GraphQLError("no valid API key", extensions={"code": "UNAUTHENTICATED"})
    return principal


async def call(info: Info, service: Callable[..., T], **arguments: Any) -> T:
    """One service function with the principal and the store, in a worker thread."""
    principal = principal_of(info)
    return await asyncio.to_thread(
        service, principal=principal, store=info.context.store, **arguments
    )


def loader(info: Info, name: str, batch: Callable[..., list[Any]]) -> DataLoader[Any, Any]:
    """This request's DataLoader `name` over the service `batch(principal, store, ids)`;
    made on first use, dropped with the request."""
    loaders = info.context.loaders
    if name not in loaders:
        principal, store = principal_of(info), info.context.store

        def load_fn(keys: list[Any]) -> Awaitable[list[Any]]:
            return asyncio.to_thread(batch, principal=principal, store=store, ids=list(keys))

        loaders[name] = DataLoader(load_fn=load_fn)
    return loaders[name]
