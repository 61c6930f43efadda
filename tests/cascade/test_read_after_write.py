"""A read shows every write committed before it started, however the catch-up is
shared between threads (cascade.projection.current: one catch-up for every reader
waiting on the lock, through every version written meanwhile). Threads of one
process register sub-suppliers and read their member's view at once, as the write
mix does: each registration is in the next read of the thread that wrote it, at
the tier DOMAIN.md gives (its buyer's tier + 1: its only edge in), on both stores."""

from __future__ import annotations

import threading

from access.principal import Principal, Role
from cascade import lock_waits
from cascade import projection as projections
from graph.model import GraphBatch, Requirement, Requires, Sourcing
from tests.factories import org
from views.coverage import tier_coverage
from views.member import member_view

THREADS, WRITES = 4, 8
M1 = Principal(Role.SOURCING, "M1", "k1")
# M1 -> S0 -> S1 -> S2 -> S3: S<i> at tier i + 1 (registrations only add leaves)
CHAIN = ["S0", "S1", "S2", "S3"]


def run_all(threads: list[threading.Thread]) -> None:
    """Start the threads, then wait for every one."""
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_each_thread_reads_its_own_registration_at_its_tier(engine_store):
    store = engine_store
    store.write(
        GraphBatch(
            organisations=[org("M1", "member"), *map(org, CHAIN)],
            sourcing=[
                Sourcing(b, s, "cocoa") for b, s in zip(["M1", *CHAIN[:-1]], CHAIN, strict=True)
            ],
            requirements=[Requirement("R1", "R1")],
            requires=[Requires("M1", "R1")],
        )
    )
    tier_of = {"M1": 0} | {s: i + 1 for i, s in enumerate(CHAIN)}
    member_view(principal=M1, store=store)  # built and walked before the threads
    lock_waits.WAITS.reset()
    wrong: list[str] = []
    failed: list[BaseException] = []

    def client(t: int) -> None:
        try:
            for i in range(WRITES):
                buyer = ["M1", *CHAIN][(t + i) % (len(CHAIN) + 1)]
                new = f"N{t}-{i}"
                store.write(
                    GraphBatch(organisations=[org(new)], sourcing=[Sourcing(buyer, new, "x")])
                )
                view = member_view(principal=M1, store=store)
                at = view.position(new)
                if at is None or view.tier(at) != tier_of[buyer] + 1:
                    wrong.append(new)
                tier_coverage(principal=M1, store=store, requirement="R1")
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    run_all([threading.Thread(target=client, args=(t,)) for t in range(THREADS)])
    assert not failed, failed
    assert wrong == []
    view = member_view(principal=M1, store=store)
    coverage = tier_coverage(principal=M1, store=store, requirement="R1")
    assert coverage.nodes == len(CHAIN) + THREADS * WRITES  # every registration, once
    assert view.network.nodes == coverage.nodes
    waits = lock_waits.WAITS
    assert 1 <= waits.taken and waits.served <= waits.taken
    assert projections.current(store).size == 1 + len(CHAIN) + THREADS * WRITES


def test_no_read_sees_a_version_older_than_one_a_read_before_it_saw(engine_store):
    """While one thread registers sub-suppliers, readers of the member's view never
    go back: a read that starts after another read (of any thread) ended holds at
    least what that read held (each registration adds a node: the network's size
    orders the versions), and a thread's reads never shrink."""
    store = engine_store
    store.write(
        GraphBatch(
            organisations=[org("M1", "member"), *map(org, CHAIN)],
            sourcing=[Sourcing("M1", s, "cocoa") for s in CHAIN],
            requirements=[Requirement("R1", "R1")],
            requires=[Requires("M1", "R1")],
        )
    )
    member_view(principal=M1, store=store)
    done = threading.Event()
    seen_lock, seen = threading.Lock(), [0]  # the most nodes a finished read held
    backwards: list[tuple[int, int]] = []
    failed: list[BaseException] = []
    # the writes begin once every reader has read once: on a busy machine the
    # writer could otherwise finish before any reader began
    reading = threading.Barrier(THREADS + 1, timeout=60)

    def writer() -> None:
        try:
            reading.wait()
            for i in range(THREADS * WRITES):
                new = f"W{i}"
                store.write(
                    GraphBatch(organisations=[org(new)], sourcing=[Sourcing(CHAIN[0], new, "x")])
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)
        finally:
            done.set()

    def reader() -> None:
        mine, first = 0, True
        try:
            while first or not done.is_set():
                with seen_lock:
                    floor = seen[0]
                nodes = tier_coverage(principal=M1, store=store, requirement="R1").nodes
                if nodes < max(floor, mine):
                    backwards.append((nodes, max(floor, mine)))
                mine = nodes
                with seen_lock:
                    seen[0] = max(seen[0], nodes)
                if first:
                    first = False
                    reading.wait()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    run_all(
        [
            threading.Thread(target=writer),
            *(threading.Thread(target=reader) for _ in range(THREADS)),
        ]
    )
    assert not failed, failed
    assert backwards == []
    assert seen[0] >= len(CHAIN)
    final = tier_coverage(principal=M1, store=store, requirement="R1")
    assert final.nodes == len(CHAIN) + THREADS * WRITES
