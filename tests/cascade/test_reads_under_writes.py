"""Reads of the projection while another thread writes (issue 12: on Neo4j about one
tierCoverage in 1,500 of the write mix answered INTERNAL, a projection read whole
and overtaken by writes three times). Real stores, a real concurrent writer: every
read must answer, from one version of the graph, and catch up to the latest."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from cascade import delta
from cascade import projection as projections
from cascade.projection import build
from graph.model import GraphBatch, Sourcing
from tests.cascade.scenario import scenario
from tests.cascade.test_delta import assert_same
from tests.factories import org

WRITES = 120  # fewer than the changes a store keeps (graph.store.CHANGES_KEPT)


class Writer(threading.Thread):
    """Registers sub-suppliers one write at a time, as registerSupplier does."""

    def __init__(self, store, most: int = WRITES) -> None:
        super().__init__(daemon=True)
        self.store, self.most, self.done, self.failed = store, most, 0, None
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while self.done < self.most and not self.stop.is_set():
                new = f"W{self.done}"
                batch = GraphBatch(organisations=[org(new)], sourcing=[Sourcing("G", new, "cocoa")])
                self.store.write(batch)
                self.done += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.failed = exc


@contextmanager
def writing(store) -> Iterator[Writer]:
    writer = Writer(store)
    writer.start()
    try:
        yield writer
    finally:
        writer.stop.set()
        writer.join()
    assert writer.failed is None, writer.failed


def test_kept_changes_lead_to_the_current_version_while_writes_go_on(neo4j_store):
    store = neo4j_store
    store.write(scenario())
    start = store.graph_version()
    seen = 0
    with writing(store) as writer:
        while writer.is_alive():
            changes = store.changes_since(start)
            assert changes is not None, f"no chain after {writer.done} writes"
            seen = max(seen, len(changes))
    assert seen > 0
    everything = store.changes_since(start)
    assert [c.batch.organisations[0].id for c in everything] == [f"W{i}" for i in range(WRITES)]
    assert everything[-1].version == store.graph_version()


@pytest.mark.parametrize("catch_up", [False, True], ids=["read whole", "caught up"])
def test_every_projection_under_writes_is_one_version_of_the_graph(engine_store, catch_up):
    """Each answer is the graph at some version (caught up to the end through the
    kept changes, it equals a fresh read), and none fails."""
    store = engine_store
    store.write(scenario())
    got = []
    with writing(store):
        for _ in range(12):
            if not catch_up:
                projections.forget(store, on_disk=True)  # a fresh process, no cache
            got.append(projections.current(store))
    final = build(store)
    for projection in got:
        changes = store.changes_since(projection.version)
        assert changes is not None
        assert_same(delta.apply(projection, changes) if changes else projection, final)


def test_a_held_read_sees_no_write_and_the_write_waits_for_it(engine_store):
    """The last read of a graph that never stops changing: writes wait for it (Neo4j)
    or do not show in it (the embedded store's snapshot)."""
    store = engine_store
    store.write(scenario())
    with writing(store):
        with store.held_still():
            version = store.graph_version()
            first = store.organisation_columns()[1]
            for _ in range(30):  # the writer writes on (embedded) or waits (Neo4j)
                assert store.graph_version() == version
                assert store.organisation_columns()[1] == first
    assert store.graph_version() != version
