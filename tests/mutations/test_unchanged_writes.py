"""A write that changes nothing in the graph makes no new graph version (so no
server process catches its projection up for it), and is still answered and
kept like any other: passOn of a requirement passed to the same supplier
earlier the same day (docs/api.md, "Writing"). Every store."""

from __future__ import annotations

from graph.model import PassOn
from mutations import suppliers
from tests.views.forum import PRINCIPALS, forum

S1 = PRINCIPALS["supplier inside"]


def _pass_r1_to_s4(store, key=None):
    return suppliers.pass_on(
        principal=S1, store=store, requirement="R1", to="S4", idempotency_key=key
    )


def test_passing_on_again_the_same_day_keeps_the_graph_version_and_the_record(store):
    store.write(forum())
    first = _pass_r1_to_s4(store, "first")
    version = store.graph_version()
    edges = [p for p in store.passed_to("S4") if p.requirement == "R1"]
    assert edges == [PassOn("S1", "S4", "R1", edges[0].at)] and edges[0].at is not None

    again = _pass_r1_to_s4(store, "again")

    assert store.graph_version() == version  # nothing changed: no new version
    assert [p for p in store.passed_to("S4") if p.requirement == "R1"] == edges
    assert {k: again[k] for k in ("requirement", "by", "to", "replayed")} == {
        "requirement": "R1",
        "by": "S1",
        "to": "S4",
        "replayed": False,
    }
    assert again["mutation"]["id"] != first["mutation"]["id"]  # its own record: who, when
    kept = store.mutation_record("S1", "supplier", "again")
    assert kept is not None and kept.operation == "passOn" and kept.key_id == S1.key_id
    assert kept.response["mutation"] == again["mutation"]
    # and the key still answers the first answer, writing nothing
    assert _pass_r1_to_s4(store, "again") == {**again, "replayed": True}
    assert store.graph_version() == version


def test_a_first_pass_on_makes_a_new_version(store):
    store.write(forum())
    version = store.graph_version()
    _pass_r1_to_s4(store)
    assert store.graph_version() != version
    assert any(p.buyer == "S1" and p.requirement == "R1" for p in store.passed_to("S4"))
