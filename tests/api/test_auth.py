"""The key check (api.auth): a key found valid is trusted for the key cache's
seconds, then its record is read again, so a revocation takes effect within that
bound; a key found invalid is never kept."""

from __future__ import annotations

import asyncio

import pytest

import api.auth
from access.keys import create_key, revoke_key
from access.principal import Role
from api.auth import BAD_KEY, KeyCache, authenticate
from api.errors import Refused
from graph.sqlite_store import SqliteStore
from tests.factories import small_network


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Counting(SqliteStore):
    """Counts the key records read."""

    reads = 0

    def key(self, key_id):  # type: ignore[no-untyped-def]
        self.reads += 1
        return super().key(key_id)


@pytest.fixture
def store(tmp_path) -> Counting:
    store = Counting(tmp_path)
    store.write(small_network())
    return store


def check(store, key: str, cache: KeyCache | None, inline: bool = True):  # type: ignore[no-untyped-def]
    return asyncio.run(authenticate(store, [f"Bearer {key}"], cache, inline=inline))


def test_a_valid_key_is_read_once_per_cache_period(store):
    clock = Clock()
    cache = KeyCache(2.0, clock)
    record, key = create_key(store, role=Role.SOURCING, organisation="M1")
    first = check(store, key, cache)
    assert (first.role, first.organisation, first.key_id) == (Role.SOURCING, "M1", record.id)
    clock.now += 1.4
    assert check(store, key, cache) == first
    assert store.reads == 1
    clock.now += 0.2  # in the last quarter: read again ahead, the entry renewed
    assert check(store, key, cache) == first
    assert store.reads == 2
    clock.now += 1.4  # 3 s after the first read, 1.4 after the refresh: kept
    assert check(store, key, cache) == first
    assert store.reads == 2
    clock.now += 2.1  # unused past its 2 s: read again
    assert check(store, key, cache) == first
    assert store.reads == 3


def test_a_key_is_refreshed_off_the_request_once_when_its_reads_are_round_trips(store):
    clock = Clock()
    cache = KeyCache(2.0, clock)
    record, key = create_key(store, role=Role.SOURCING, organisation="M1")

    async def requests() -> list[str]:
        headers = [f"Bearer {key}"]
        seen = [(await authenticate(store, headers, cache, inline=False)).key_id]
        clock.now += 1.6  # due: the first request schedules one refresh, all are answered
        seen += [(await authenticate(store, headers, cache, inline=False)).key_id for _ in range(5)]
        while cache.refreshing or api.auth._refreshes:
            await asyncio.sleep(0.01)
        assert store.reads == 2
        revoke_key(store, record.id)
        clock.now += 1.6  # due again: the refresh finds the key revoked and drops it
        seen.append((await authenticate(store, headers, cache, inline=False)).key_id)
        while cache.refreshing or api.auth._refreshes:
            await asyncio.sleep(0.01)
        with pytest.raises(Refused):  # well within the 2 s bound of the last read
            await authenticate(store, headers, cache, inline=False)
        return seen

    assert asyncio.run(requests()) == [record.id] * 7


def test_a_revoked_key_is_refused_once_its_entry_expires(store):
    clock = Clock()
    cache = KeyCache(2.0, clock)
    record, key = create_key(store, role=Role.ANALYST, organisation="M1")
    check(store, key, cache)
    revoke_key(store, record.id)  # as `tiergraph keys revoke` in another process
    clock.now += 1.0
    check(store, key, cache)  # still trusted: within the bound
    clock.now += 1.0
    with pytest.raises(Refused) as refused:
        check(store, key, cache)
    assert (refused.value.status, refused.value.message) == (401, BAD_KEY)


def test_without_the_cache_every_request_reads_the_record(store):
    for cache in (None, KeyCache(0)):
        record, key = create_key(store, role=Role.SUPPLIER, organisation="S1")
        check(store, key, cache)
        before = store.reads
        check(store, key, cache)
        assert store.reads == before + 1
        revoke_key(store, record.id)
        with pytest.raises(Refused):
            check(store, key, cache)


def test_an_invalid_key_is_never_kept(store):
    cache = KeyCache(60.0, Clock())
    record, key = create_key(store, role=Role.SOURCING, organisation="M1")
    wrong = key[:-3] + "xyz"
    for _ in range(2):
        with pytest.raises(Refused):
            check(store, wrong, cache)
    assert store.reads == 2  # each attempt read the record: nothing was kept
    assert check(store, key, cache).key_id == record.id  # the right secret is not shadowed


def test_the_record_is_read_in_a_worker_thread_unless_inline(tmp_path):
    import threading

    seen = []

    class Recording(SqliteStore):
        def key(self, key_id):  # type: ignore[no-untyped-def]
            seen.append(threading.current_thread() is threading.main_thread())
            return super().key(key_id)

    recording = Recording(tmp_path)
    recording.write(small_network())
    _, key = create_key(recording, role=Role.SOURCING, organisation="M1")
    check(recording, key, None, inline=True)
    check(recording, key, None, inline=False)
    assert seen == [True, False]


def test_the_cache_holds_a_bounded_number_of_keys(monkeypatch, store):
    import api.auth

    monkeypatch.setattr(api.auth, "KEYS_CACHED", 3)
    clock = Clock()
    cache = KeyCache(10.0, clock)
    keys = [create_key(store, role=Role.SUPPLIER, organisation="S1")[1] for _ in range(5)]
    for key in keys:
        check(store, key, cache)
        assert len(cache._found) <= 3
    assert check(store, keys[-1], cache).role == Role.SUPPLIER


def test_a_request_that_may_write_reads_the_record_whatever_the_cache_holds(store):
    clock = Clock()
    cache = KeyCache(2.0, clock)
    record, key = create_key(store, role=Role.SUPPLIER, organisation="S1")
    check(store, key, cache)
    revoke_key(store, record.id)
    assert check(store, key, cache).key_id == record.id  # a read: still within the bound
    with pytest.raises(Refused) as refused:
        asyncio.run(authenticate(store, [f"Bearer {key}"], cache, inline=True, fresh=True))
    assert (refused.value.status, refused.value.message) == (401, BAD_KEY)


@pytest.mark.parametrize(
    ("method", "body", "writes"),
    [
        ("POST", b'{"query": "{ me { role } }"}', False),
        ("POST", b'{"query": "mutation { adopt(requirement: \\"R1\\") { requirement } }"}', True),
        # JSON escapes hide the word from the raw bytes, not from the parsed query
        ("POST", b'{"query": "\\u006dutation { adopt(requirement: \\"R1\\") { x } }"}', True),
        ("POST", b'[{"query": "{ me { role } }"}]', True),  # not one plain query
        ("POST", b"not json", True),
        ("GET", b"", False),
    ],
)
def test_what_counts_as_a_request_that_may_write(method, body, writes):
    from starlette.requests import Request

    from api.auth import may_write

    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": method, "headers": [], "query_string": b""}
    assert asyncio.run(may_write(Request(scope, receive))) is writes


@pytest.mark.parametrize(
    ("body", "writes"),
    [
        # Prepared: the operation's type decides (api.prepared.writes), not the text.
        ({"query": '{ organisation(id: "mutation") { id } }'}, False),
        (
            {
                "query": 'query Q { health } mutation M { recognise(scheme: "R") { member } }',
                "operationName": "Q",
            },
            False,
        ),  # fmt: skip
        (
            {
                "query": 'query Q { health } mutation M { recognise(scheme: "R") { member } }',
                "operationName": "M",
            },
            True,
        ),  # fmt: skip
    ],
)
def test_a_prepared_documents_operation_type_says_whether_it_may_write(body, writes):
    import orjson
    from starlette.requests import Request

    from api.auth import may_write
    from api.prepared import prepared
    from api.schema import schema

    raw = orjson.dumps(body)

    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": raw, "more_body": False}

    scope = {"type": "http", "method": "POST", "headers": [], "query_string": b""}
    unprepared = asyncio.run(may_write(Request(scope, receive), schema._schema))
    assert unprepared is True  # the word is in the text: a write until prepared
    assert prepared(schema._schema, body["query"], body.get("operationName"), False)
    assert asyncio.run(may_write(Request(scope, receive), schema._schema)) is writes


class LateAnswer(Counting):
    """A key record whose answer comes back late (a round trip, a busy event loop):
    the key is revoked, and a second passes, after the record was read valid."""

    clock: Clock
    revoke = False

    def key(self, key_id):  # type: ignore[no-untyped-def]
        record = super().key(key_id)
        if self.revoke:
            self.clock.now += 0.5
            self.revoke_key(key_id, "2026-01-01T00:00:00+00:00")  # as `tiergraph keys revoke`
            self.clock.now += 0.5
        return record


def late_answers(tmp_path) -> tuple[LateAnswer, Clock, KeyCache, str]:  # type: ignore[no-untyped-def]
    """A LateAnswer store on `tmp_path`, its clock, a 2-s key cache, a sourcing key."""
    clock = Clock()
    store = LateAnswer(tmp_path)
    store.write(small_network())
    store.clock = clock
    _, key = create_key(store, role=Role.SOURCING, organisation="M1")
    return store, clock, KeyCache(2.0, clock), key


@pytest.mark.parametrize("inline", [True, False])
def test_a_key_revoked_while_its_record_comes_back_is_refused_within_the_bound(tmp_path, inline):
    """The 2 s run from the read of the record, not from its answer: a key revoked
    at t is refused from t + 2 s on, however late the read that found it valid came back."""
    store, clock, cache, key = late_answers(tmp_path)
    store.revoke = True
    check(store, key, cache, inline=inline)  # read valid at 100, revoked at 100.5
    store.revoke = False
    clock.now = 100.5 + 2.0
    with pytest.raises(Refused):
        check(store, key, cache, inline=inline)


def test_a_refresh_that_comes_back_after_a_revocation_keeps_the_bound(tmp_path):
    store, clock, cache, key = late_answers(tmp_path)

    async def requests() -> None:
        headers = [f"Bearer {key}"]
        await authenticate(store, headers, cache, inline=False)  # read at 100
        clock.now += 1.6  # due: this request schedules a refresh, read at 101.6
        store.revoke = True  # ... and revoked at 102.1, while its answer comes back
        await authenticate(store, headers, cache, inline=False)
        while cache.refreshing or api.auth._refreshes:
            await asyncio.sleep(0.01)
        store.revoke = False
        clock.now = 102.1 + 2.0
        with pytest.raises(Refused):
            await authenticate(store, headers, cache, inline=False)

    asyncio.run(requests())
