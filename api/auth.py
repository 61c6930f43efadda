"""Who a request acts as: `Authorization: Bearer KEY` -> a principal, or HTTP 401;
then the key's request rate, or HTTP 429 (docs/api.md, "Authentication")."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable

import orjson
from graphql import GraphQLSchema
from starlette.requests import Request

from access.keys import key_id_of, principal_for, principal_of
from access.principal import Principal
from api.errors import RATE_LIMITED, UNAUTHENTICATED, Refused
from api.limits import RateLimiter
from api.prepared import known, writes
from api.request_json import parse_body
from graph import key_ahead
from graph.store import GraphStore

NO_KEY = "no API key: send the header `Authorization: Bearer <key>` (tiergraph keys create)"
BAD_KEY = "the API key is not valid: unknown, revoked, or not a tiergraph key"
log = logging.getLogger(__name__)
KEYS_CACHED = 10_000  # valid keys a process keeps at most (then it starts afresh)


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


class KeyCache:
    """The principals of keys found valid in the last `seconds`, by the key's SHA-256:
    a request with such a key reads no key record. A key revoked meanwhile (by
    `tiergraph keys revoke`, in any process) is refused once its entry expires, at
    most `seconds` after the revocation, in every server process alike. Keys found
    invalid are not kept: a new key works at once. `seconds` 0 keeps nothing.

    Refreshed ahead: in the last quarter of an entry's life the first request that
    finds it (`due`) reads the record again while the others keep using the entry,
    so a key in steady use is never missed, and the clients of one key do not all
    miss together (on Neo4j each miss was a round trip in a worker thread). A
    refresh that finds the key revoked drops it; one that is not made leaves the
    entry to expire: the bound holds either way.
    Used from the event loop only, so it needs no lock."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self._clock = clock
        # digest -> (principal, expires at, refresh due at)
        self._found: dict[bytes, tuple[Principal, float, float]] = {}
        self.refreshing: set[bytes] = set()  # digests whose record is being read again

    @staticmethod
    def digest(key: str) -> bytes:
        return hashlib.sha256(key.encode()).digest()

    def get(self, digest: bytes) -> Principal | None:
        found = self._found.get(digest)
        if found is None:
            return None
        if found[1] <= self._clock():
            del self._found[digest]
            return None
        return found[0]

    def due(self, digest: bytes) -> bool:
        """Whether the entry should be read again now (and nobody is reading it yet)."""
        found = self._found.get(digest)
        return found is not None and found[2] <= self._clock() and digest not in self.refreshing

    def now(self) -> float:
        return self._clock()

    def put(self, digest: bytes, principal: Principal, read_at: float | None = None) -> None:
        """Keep a principal found valid by a read of its record that began at `read_at`
        (default now): trusted `seconds` from then, not from when the answer came back
        (a revocation while the read was on its way would get more than the bound)."""
        if self.seconds <= 0:
            return
        if len(self._found) >= KEYS_CACHED:
            now = self._clock()
            self._found = {d: kept for d, kept in self._found.items() if kept[1] > now}
            if len(self._found) >= KEYS_CACHED:
                self._found.clear()
        read = self._clock() if read_at is None else read_at
        self._found[digest] = (principal, read + self.seconds, read + self.seconds * 0.75)

    def drop(self, digest: bytes) -> None:
        self._found.pop(digest, None)


async def _refresh(store: GraphStore, key: str, digest: bytes, cache: KeyCache) -> None:
    """Read a cached key's record again (Neo4j: in a worker thread, off the request)."""
    read_at = cache.now()
    try:
        principal = await asyncio.to_thread(principal_for, store, key)
    except Exception:  # the store did not answer: the entry expires as it would have
        log.warning("the key cache could not refresh a key", exc_info=True)
        return
    finally:
        cache.refreshing.discard(digest)
    if principal is None:
        cache.drop(digest)
    else:
        cache.put(digest, principal, read_at)


class CachedKey(key_ahead.KeyCheck):
    """A write request's key that the key cache holds: trusted until its record,
    read with the request's first round trip (graph.key_ahead), names the same
    principal; then its entry is renewed or dropped (confirm_ahead)."""

    __slots__ = ("digest", "principal")

    def __init__(self, key: str, key_id: str, digest: bytes, principal: Principal) -> None:
        super().__init__(key_id, lambda record: principal_of(record, key) == principal)
        self.digest = digest
        self.principal = principal


async def confirm_ahead(store: GraphStore, cache: KeyCache | None) -> None:
    """At the end of a write request whose key came from the cache (authenticate's
    `ahead`): its record read now if no round trip of the request read it; 401 when
    it was found not valid (a revoked key: the store wrote nothing, graph.key_ahead).
    The entry is renewed from the read (made after the check began) or dropped."""
    check = key_ahead.current()
    if not isinstance(check, CachedKey):
        return
    key_ahead.check_ahead(None)
    if check.found is None:
        check.take(await asyncio.to_thread(store.key, check.key_id))
    if check.found:
        if cache is not None:
            cache.put(check.digest, check.principal, check.started)
        return
    if cache is not None:
        cache.drop(check.digest)
    raise unauthenticated(BAD_KEY)


_refreshes: set[asyncio.Task[None]] = set()  # kept until done (the loop holds tasks weakly)


async def authenticate(
    store: GraphStore,
    headers: list[str],
    cache: KeyCache | None = None,
    inline: bool = False,
    fresh: bool = False,
    ahead: bool = False,
) -> Principal:
    """The principal of the request's one Authorization header; two headers are
    refused (a proxy checking one and the API using the other would disagree).
    The key's record is read on the event loop when `inline` (the embedded store:
    a local page), else in a worker thread (Neo4j: a round trip). `fresh` reads the
    record whatever the cache holds (a request that may write); with `ahead` a key
    the cache holds is read later, with the request's first round trip (CachedKey)."""
    if len(headers) > 1:
        raise unauthenticated("more than one Authorization header")
    key = bearer_key(headers[0] if headers else None)
    if key is None:
        raise unauthenticated(NO_KEY)
    if not key:
        raise unauthenticated(BAD_KEY)
    digest = KeyCache.digest(key)
    if ahead and cache is not None and (found := cache.get(digest)) is not None:
        key_id = key_id_of(key)
        assert key_id is not None  # the cache keeps keys found valid only
        key_ahead.check_ahead(CachedKey(key, key_id, digest, found))
        return found
    principal = cache.get(digest) if cache is not None and not fresh else None
    if principal is not None:
        assert cache is not None
        if not cache.due(digest):
            return principal
        if not inline:
            cache.refreshing.add(digest)  # before the task runs: one refresh at a time
            task = asyncio.get_running_loop().create_task(_refresh(store, key, digest, cache))
            _refreshes.add(task)
            task.add_done_callback(_refreshes.discard)
            return principal
        # inline (a local page): read now, in this request, before the entry expires
    read_at = cache.now() if cache is not None else 0.0
    if inline:
        principal = principal_for(store, key)
    else:
        principal = await asyncio.to_thread(principal_for, store, key)
    if principal is None:
        if cache is not None:
            cache.drop(digest)
        raise unauthenticated(BAD_KEY)
    if cache is not None:
        cache.put(digest, principal, read_at)
    return principal


async def may_write(
    request: Request, schema: GraphQLSchema | None = None, introspection: bool = False
) -> bool:
    """Whether the request may run a mutation: then its key's record is read again
    whatever the key cache holds, so that a revoked key never writes. The rule is
    api.prepared.writes (the operation's type when the document was prepared for
    `schema`); a body that is not a JSON object with a string `query` counts as one."""
    if request.method != "POST":
        return False  # GraphQL over GET runs queries only
    try:
        body = parse_body(await request.body())  # kept: the GraphQL view parses no more
    except orjson.JSONDecodeError:
        return True
    if not isinstance(body, dict):
        return True
    query, name = body.get("query"), body.get("operationName")
    found = None
    if schema is not None and type(query) is str and (name is None or type(name) is str):
        found = known(schema, query, name, introspection)
    return writes(found, query)


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
