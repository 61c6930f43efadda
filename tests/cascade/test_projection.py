"""The projection: kept while the graph version holds, rebuilt after any write,
and the results follow the write (on every store)."""

from __future__ import annotations

from contextlib import contextmanager

from cascade import projection as projections
from cascade.engine import JobRunner, JobSpec, new_job, walk
from cascade.jobstore import MemoryJobStore
from cascade.service import latest, run_here
from graph.model import Adoption, GraphBatch, PassOn, Sourcing
from graph.sqlite_store import SqliteStore
from graph.store import StoredResult
from tests.cascade.scenario import DAY, scenario
from tests.factories import org


def coverage_of(store, member: str, requirement: str) -> dict:
    run_here(store, JobSpec(member, requirement, as_of=DAY))
    return latest(store, "coverage", member, requirement)[0].payload


def test_every_write_changes_the_version_and_saving_results_does_not(store):
    store.write(scenario())
    before = store.graph_version()
    assert store.graph_version() == before  # reading leaves it as it is
    store.save_results([StoredResult("x", "coverage", "M1", "R1", "2026-01-01", {})])
    assert store.graph_version() == before
    store.write(GraphBatch(organisations=[org("H")]))
    after_write = store.graph_version()
    assert after_write != before
    assert store.remove_sourcing("M1", "NOBODY") == 0
    assert store.graph_version() == after_write  # nothing removed, nothing changed
    assert store.remove_sourcing("M1", "A") == 1
    assert store.graph_version() != after_write


def test_the_projection_is_kept_while_current_and_rebuilt_after_a_write(store):
    store.write(scenario())
    first = projections.current(store)
    assert projections.current(store) is first
    store.write(GraphBatch(organisations=[org("H")], sourcing=[Sourcing("G", "H", "cocoa")]))
    second = projections.current(store)
    assert second is not first and second.version == store.graph_version()
    assert walk(store, "M1").tier["H"] == 3


def test_a_cascade_after_a_write_reflects_the_write(store):
    store.write(scenario())
    before = coverage_of(store, "M1", "R1")
    assert before["depth"] == 2
    # C passes R1 on to D, D adopts it: the chain now reaches tier 3.
    store.write(GraphBatch(pass_on=[PassOn("C", "D", "R1")], adoptions=[Adoption("D", "R1")]))
    after = coverage_of(store, "M1", "R1")
    assert after["depth"] == 3 and after["reached"] == before["reached"] + 1
    store.remove_sourcing("M1", "A")  # the only covered chain starts at A
    gone = coverage_of(store, "M1", "R1")
    assert gone["depth"] == 0 and gone["reached"] == 0
    assert "A" not in walk(store, "M1").tier


def test_a_job_whose_graph_changes_between_steps_ends_on_the_new_graph(store):
    store.write(scenario())
    jobs = MemoryJobStore()
    job = new_job(store, jobs, JobSpec("M1", "R1", as_of=DAY))
    JobRunner(store, jobs, job).run_step(1)  # tier 1 walked
    store.write(GraphBatch(organisations=[org("H")], sourcing=[Sourcing("G", "H", "cocoa")]))
    done = JobRunner(store, jobs, job).run_all()  # another process: replays or walks again
    assert done["state"] == "done" and done["nodes"] == 9
    payload = latest(store, "coverage", "M1", "R1")[0].payload
    assert payload["nodes"] == 9


def test_a_resumed_job_replays_its_checkpoints(store):
    store.write(scenario())
    jobs = MemoryJobStore()
    job = new_job(store, jobs, JobSpec("M1", as_of=DAY))
    JobRunner(store, jobs, job).run_step(1)
    JobRunner(store, jobs, job).run_step(2)
    done = JobRunner(store, jobs, job).run_all()
    fresh = run_here(store, JobSpec("M1", as_of=DAY))
    assert (done["tier"], done["nodes"]) == (fresh["tier"], fresh["nodes"]) == (4, 8)
    mine = latest(store, "audits", "M1", DAY.isoformat(), history=2)
    assert mine[0].payload == mine[1].payload


def test_the_embedded_store_keeps_its_version_across_a_restart(tmp_path):
    store = SqliteStore(tmp_path)
    store.write(scenario())
    assert SqliteStore(tmp_path).graph_version() == store.graph_version()


class _WriteDuringBuild:
    """The store, with another writer committing while the projection reads it."""

    def __init__(self, store, every_time: bool = False) -> None:
        self.inner, self.writes, self.every_time, self.held = store, 0, every_time, False

    def __getattr__(self, name):
        return getattr(self.inner, name)

    @contextmanager
    def held_still(self):
        # A writer in another thread waits for it (tests/cascade/test_reads_under_writes.py);
        # one in this thread would wait for ever on Neo4j: none writes then.
        with self.inner.held_still():
            self.held = True
            try:
                yield
            finally:
                self.held = False

    def sourcing_columns(self):
        if not self.held and (self.every_time or not self.writes):  # between orgs and edges
            self.writes += 1
            new = f"H{self.writes}"
            self.inner.write(
                GraphBatch(organisations=[org(new)], sourcing=[Sourcing("G", new, "cocoa")])
            )
        return self.inner.sourcing_columns()


def test_a_write_during_the_build_makes_it_read_the_graph_again(store):
    store.write(scenario())
    racing = _WriteDuringBuild(store)
    built = projections.current(racing)
    assert racing.writes == 1 and built.version == store.graph_version()
    assert walk(racing, "M1").tier["H1"] == 3  # H1 and its edge, read together


def test_a_graph_that_never_stops_changing_is_read_held_still_at_last(store):
    store.write(scenario())
    racing = _WriteDuringBuild(store, every_time=True)
    built = projections.current(racing)
    assert racing.writes == projections.BUILD_TRIES - 1
    assert built.version == store.graph_version()
    assert walk(racing, "M1").tier[f"H{racing.writes}"] == 3
