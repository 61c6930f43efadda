"""What a served process keeps in memory to answer without reading the store whole
(the cascade's projection, Neo4j's row copy, each country's matching index): made
before the process serves (`prepare`), then kept up with every process's writes
while it serves (`KeepUp`).

Requests catch these up themselves through the kept changes. A process that no
request reaches for a while (its clients' connections went to another process, a
quiet hour) falls behind by every write made elsewhere, and once more than the
store keeps (graph.store.CHANGES_KEPT) it reads everything again at its next
request: 0.5-13 s at 200,000 organisations with every request of the process
waiting (graph.whole_builds logs them). A thread that takes the changes in every
KEEP_UP_SECONDS while the process idles keeps it within reach; while requests
keep it current the thread's check is one version read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from cascade import projection as projections
from graph import request_parts, whole_builds
from graph.store import GraphStore
from mutations import registration

log = logging.getLogger(__name__)
KEEP_UP_SECONDS = 1.0  # a second of writes is far fewer than CHANGES_KEPT
STOP_SECONDS = 5.0  # how long a shutdown waits for a turn under way


def prepare(store: GraphStore, countries: Iterable[str] | None = None) -> None:
    """Make what requests would otherwise make at their first use: the projection,
    the row copy (Neo4j) and the matching indexes of `countries` (None: of every
    country with stored organisations). A country's index made at its first
    registration took 0.1-1.4 s at 200,000 organisations in the writer thread, with
    every write of the process queued behind it: the write mix's stalls. Logged as
    one line (graph.whole_builds.summarised), not one per country."""
    with whole_builds.summarised("ready to serve"):
        _prepare(store, countries)


def _prepare(store: GraphStore, countries: Iterable[str] | None) -> None:
    projections.current(store)
    rows = _row_copy(store)
    if rows is not None:
        rows.bring_to(store, store.graph_version(), float("inf"))
    if countries is None:
        countries = store.organisation_countries()[3]
    for country in countries:
        with registration.index_for(store, country):
            pass


def keep_up(store: GraphStore) -> None:
    """Take in the writes made since what the process keeps was last current: each
    through the kept changes (a whole read only where they are not kept, as at a
    request). What the process has not made yet stays unmade."""
    version = store.graph_version()
    if projections.kept_version(store) not in (None, version):
        projections.current(store)
    rows = _row_copy(store)
    if rows is not None and rows.version not in (None, version):
        rows.bring_to(store, version, float("inf"))
    registration.keep_up(store, version)


def _row_copy(store: GraphStore) -> Any:
    return getattr(store, "rows", None)  # graph.neo4j_rows.RowCopy on Neo4j


class KeepUp:
    """A daemon thread calling keep_up(store) every `every` seconds until stopped."""

    def __init__(self, store: GraphStore, every: float = KEEP_UP_SECONDS) -> None:
        self.store, self.every = store, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tiergraph-keep-up", daemon=True)

    def start(self) -> KeepUp:
        self._thread.start()
        return self

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Stop the thread; a turn still running after `timeout` (a whole build, a
        store that does not answer) is left to end on its own (a daemon thread)."""
        self._stop.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("the keeper's turn did not end within %.0f s; not waited for", timeout)

    def _run(self) -> None:
        failing = False  # said once while the store does not answer, not every second
        while not self._stop.wait(self.every):
            try:
                with request_parts.process_timing("keep up"):  # in the slow-request log
                    keep_up(self.store)
            except Exception:  # noqa: BLE001 - a request catches up or rebuilds as before
                if not failing:
                    log.warning("could not keep up with the store's writes", exc_info=True)
                failing = True
            else:
                if failing:
                    log.info("keeping up with the store's writes again")
                failing = False
