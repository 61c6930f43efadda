"""One id twice in one batch, on every store: the later row wins, whole (as for
an organisation written twice), by write and by apply (docs/loading.md)."""

from __future__ import annotations

from dataclasses import replace

from graph.model import GraphBatch
from graph.store import Mutation, MutationRecord
from tests.factories import small_network


def _record(n: int) -> MutationRecord:
    return MutationRecord(
        id=f"dup-{n}",
        operation="test",
        organisation="S1",
        role="supplier",
        key_id="k",
        at=f"2026-12-02T00:00:0{n}",
        idempotency_key=None,
        request="-",
        response={},
    )


def _two_audits(batch: GraphBatch) -> GraphBatch:
    (a1,) = batch.audits
    return GraphBatch(
        audits=[replace(a1, organisation="S2", rating="C"), replace(a1, organisation="S3")]
    )


def test_an_audit_written_twice_in_one_batch_covers_the_later_rows_organisation(store):
    batch = small_network()
    store.write(batch)
    twice = _two_audits(batch)
    store.write(twice)
    (audit,) = store.export().audits
    assert audit == twice.audits[1]
    assert store.audits_of("S3") == [twice.audits[1]]
    assert store.audits_of("S2") == [] and store.audits_of("S1") == []
    assert store.counts()["audits"] == 1


def test_an_audit_applied_twice_in_one_mutation_covers_the_later_rows_organisation(store):
    batch = small_network()
    store.write(batch)
    twice = _two_audits(batch)
    store.apply(Mutation(_record(1), twice))
    assert store.audits(["A1"]) == [twice.audits[1]]
    assert store.audits_of("S2") == []


def test_a_finding_written_twice_in_one_batch_belongs_to_the_later_rows_audit(store):
    batch = small_network()
    (a1,) = batch.audits
    a2 = replace(a1, id="A2", organisation="S2")
    store.write(replace(batch, audits=[a1, a2]))
    (f1,) = batch.findings
    twice = GraphBatch(findings=[replace(f1, audit="A2"), replace(f1, category="moved back")])
    store.write(twice)
    (finding,) = store.export().findings
    assert finding == twice.findings[1]
