"""Who a request acts as: `Authorization: Bearer KEY` -> a principal, or HTTP 401;
then the key's request rate, or HTTP 429 (docs/api.md, "Authentication")."""

from __future__ import annotations

import asyncio

from starlette.requests import Request

from access.keys import principal_for
from access.principal import Principal
from api.errors import RATE_LIMITED, UNAUTHENTICATED, Refused
from api.limits import RateLimiter
from graph.store import GraphStore

NO_KEY = "no API key: send the header `Authorization: Bearer <key>` (tiergraph keys create)"
BAD_KEY = "the API key is not valid: unknown, revoked, or not a tiergraph key"


def bearer_key(authorization: str | None) -> str | None:
    """The key of an `Authorization: Bearer <key>` header; None without one."""
    if not authorization:
        return None
    scheme, _, key = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return ""  # a header that is there but malformed: a bad key, not no key
    return key.strip()


def unauthenticated(message: str) -> Refused:
    return Refused(401, UNAUTHENTICATED, message, headers={"WWW-Authenticate": "Bearer"})


async def authenticate(store: GraphStore, authorization: str | None) -> Principal:
    key = bearer_key(authorization)
    if key is None:
        raise unauthenticated(NO_KEY)
    # Reading the key's record blocks (SQLite, Neo4j): keep it off the event loop.
    principal = await asyncio.to_thread(principal_for, store, key) if key else None
    if principal is None:
        raise unauthenticated(BAD_KEY)
    return principal


def check_rate(limiter: RateLimiter, principal: Principal) -> None:
    wait = limiter.retry_after(principal.key_id)
    if wait is not None:
        raise Refused(
            429,
            RATE_LIMITED,
            f"too many requests for this API key (at most {limiter.per_second:g} a second, "
            f"{limiter.burst} at once): retry after {wait} s",
            headers={"Retry-After": str(wait)},
            extensions={"retryAfter": wait},
        )


def opens_the_ide(request: Request) -> bool:
    """A GET without a query: the GraphiQL page (or a 400 for a client that is no
    browser). It runs no operation, so it needs no key: the user sets the header
    in GraphiQL's headers pane, and the page's requests carry it."""
    return request.method == "GET" and "query" not in request.query_params
