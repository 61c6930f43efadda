"""graph.read_scope.without_io: a read-only request's call runs on the caller's thread
only when it needs no round trip and no wait; otherwise it says so, and the caller
runs it where it may wait (the version it then reads is the same as ever)."""

from __future__ import annotations

from graph import read_scope


class Store:
    """A store whose version read is a round trip, guarded as Neo4jStore's are."""

    shared_version_reads = True
    guards_io = True

    def __init__(self) -> None:
        self.reads = 0

    def answers_in_memory(self) -> bool:
        return True

    def graph_version(self) -> str:
        read_scope.check_io()
        self.reads += 1
        return f"v{self.reads}"


def version_of(*, store: Store) -> str:
    return read_scope.version(store)


def in_request(call):  # type: ignore[no-untyped-def]
    read_scope.begin(read_only=True)
    try:
        return call()
    finally:
        read_scope.end()


def test_a_call_that_would_read_is_not_answered_and_reads_nothing():
    store = Store()
    found = in_request(lambda: read_scope.without_io(store, version_of, {"store": store}))
    assert found is read_scope.NOT_ANSWERED
    assert store.reads == 0


def test_a_version_read_for_the_request_is_taken_without_a_round_trip():
    store = Store()

    def twice() -> tuple[str, object]:
        first = version_of(store=store)  # as a worker thread reads it
        return first, read_scope.without_io(store, version_of, {"store": store})

    assert in_request(twice) == ("v1", "v1")
    assert store.reads == 1


def test_a_read_that_finished_after_the_request_began_is_taken():
    store = Store()
    read_scope.begin(read_only=True)
    try:
        began = read_scope.began()
    finally:
        read_scope.end()

    def later() -> object:
        version_of(store=store)  # another request's read, started after `began`
        read_scope.begin(read_only=True)  # the request itself
        read_scope._scope.get().began = began  # type: ignore[union-attr]
        return read_scope.without_io(store, version_of, {"store": store})

    assert in_request(later) == "v1"
    assert store.reads == 1


def test_outside_a_read_only_request_nothing_runs_without_io():
    store = Store()
    assert read_scope.without_io(store, version_of, {"store": store}) is read_scope.NOT_ANSWERED
    read_scope.begin(read_only=False)  # a request that may write
    try:
        assert read_scope.without_io(store, version_of, {"store": store}) is read_scope.NOT_ANSWERED
    finally:
        read_scope.end()
    assert store.reads == 0


def test_a_call_that_is_not_ready_is_not_answered():
    store = Store()
    called: list[bool] = []
    found = in_request(
        lambda: read_scope.without_io(store, lambda: called.append(True), {}, lambda: False)
    )
    assert (found, called) == (read_scope.NOT_ANSWERED, [])
