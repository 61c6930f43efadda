"""A plain mutation's statement (cypher.apply_mutation) is planned once and never
replanned (`CYPHER replan=skip`): that is safe only while its plan finds every node
through an index, whatever the statistics said when it was planned. Planned here
on an empty database, the statistics that would most favour a scan."""

from __future__ import annotations

import re
from datetime import date

import pytest

from graph import cypher
from graph.model import GraphBatch, PassOn
from graph.neo4j_rows import changes_read
from graph.neo4j_store import _at_once_statement, _scope
from graph.store import Mutation
from tests.contract.test_mutations import new_supplier, record
from tests.factories import small_network

pytestmark = pytest.mark.neo4j

DAY = date(2026, 5, 1)
SHAPES = {
    "registerSupplier": new_supplier("S9"),
    "passOn": GraphBatch(pass_on=[PassOn("S1", "S2", "REQ-1", DAY)]),
    "every row writer": small_network(),
}


def operators(plan: dict) -> list[str]:
    return [plan["operatorType"].split("@")[0]] + [
        op for child in plan.get("children", []) for op in operators(child)
    ]


@pytest.mark.parametrize("key", [None, "plan-1"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_mutation_statement_finds_every_node_through_an_index(neo4j_store, shape, key):
    mutation = Mutation(record(key=key), SHAPES[shape])
    scope = _scope("S1", "supplier", key)
    query, params, _ = _at_once_statement(mutation, scope, guard=True)
    assert query.startswith("CYPHER replan=skip")
    with neo4j_store.driver.session() as session:
        plan = session.run("EXPLAIN " + query, params).consume().plan
    used = operators(plan)
    assert not [op for op in used if "Scan" in op], used
    assert "NodeIndexSeekByRange" in used  # the kept changes' pruning, by its index


READS = {
    "changes after a version": (cypher.CHANGES_AFTER, {"version": "v0"}),
    "changes and match choices": changes_read("v0", ["k"], None),
    "changes and the key": changes_read("v0", [], "key-1"),
    "changes, match choices and the key": changes_read("v0", ["k"], "key-1"),
    "match choices": (cypher.VERDICTS, {"of": "k"}),
    "forget other choices": (cypher.FORGET_OTHER_SAME_VERDICTS, {"of": "k", "stored_id": "o"}),
}


@pytest.mark.parametrize("name", sorted(READS))
def test_the_reads_of_every_catch_up_and_registration_seek_an_index(neo4j_store, name):
    """The kept changes and match choices grow with every write: read by a scan, each
    catch-up or registration would cost more as they do (CHANGES_AFTER's plan is kept
    whatever the statistics: planned here on an empty database)."""
    query, params = READS[name]
    with neo4j_store.driver.session() as session:
        plan = session.run("EXPLAIN " + query, params).consume().plan
    used = operators(plan)
    assert not [op for op in used if "Scan" in op], used


@pytest.mark.parametrize("of", [[], ["k"]])
@pytest.mark.parametrize("key", [None, "key-1"])
def test_the_changes_read_sends_only_what_its_statement_uses(neo4j_store, of, key):
    """The catch-up read of a mutation (changes, match choices, the API key) is sent
    the parameters its statement names and no others: an empty `$of` sent beside a
    `$key` cost Neo4j four times the read's CPU (graph.neo4j_rows.changes_read)."""
    query, params = changes_read("v0", of, key)
    named = set(re.findall(r"\$(\w+)", query))
    assert named == set(params)
    assert [v for v in params.values() if v is None or v == []] == []
    neo4j_store.write(small_network())  # the version node the read starts from
    (rec,) = neo4j_store._read(query, params)
    assert ("verdicts" in rec.keys(), "key" in rec.keys()) == (bool(of), key is not None)
    assert rec["chain"] == []  # no change leads from a version nobody made
