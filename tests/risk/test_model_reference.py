"""member_risk against the naive reference (tests/risk/naive.py) on generated forums
with cycles and diamonds, on every store, with and without tables."""

from __future__ import annotations

import dataclasses
import math

import networkx as nx
import numpy as np
import pytest

from access.principal import Principal, Role
from graph.model import GraphBatch
from loaders.generate import REFERENCE_DAY, generate
from risk.importers import import_table
from risk.model import member_risk
from risk.tables import RiskTables, load_tables
from risk.weights import COMPONENTS, Weights
from tests.risk.naive import naive_risk
from tests.risk.real_tables import ILAB, WGI
from views.member import member_view

TOLERANCE = 1e-9


def forum(seed: int, profile: str = "tiers") -> GraphBatch:
    batch = generate(nodes=300, seed=seed, profile=profile)
    # A few nodes whose country the governance table does not hold (Antarctica).
    orgs = [
        dataclasses.replace(o, country="AQ") if i % 37 == 5 else o
        for i, o in enumerate(batch.organisations)
    ]
    return dataclasses.replace(batch, organisations=orgs)


def compare(
    store, batch: GraphBatch, tables: RiskTables, weights: Weights, day=REFERENCE_DAY
) -> int:
    """Every member's risk against the reference; the number of nodes compared."""
    compared = 0
    for member in sorted(o.id for o in batch.organisations if o.kind.value == "member"):
        view = member_view(principal=Principal(Role.ANALYST, member, "k"), store=store)
        got = member_risk(view, store, day, tables, weights)
        want = naive_risk(batch, member, day, tables, weights)
        ids = view.projection.ids
        scored = {str(ids[a]) for a in np.flatnonzero(~np.isnan(got.score))}
        assert scored == set(want), member
        for node, expected in want.items():
            at = view.position(node)
            assert at is not None
            assert math.isclose(got.score[at], expected["score"], abs_tol=TOLERANCE), (
                member,
                node,
                {c: None if v is None else float(v[at]) for c, v in got.components.items()},
                expected,
            )
            for c in COMPONENTS:
                values, value = got.components[c], expected["components"][c]
                if value is None:
                    assert values is None, (member, c)
                else:
                    assert values is not None
                    assert math.isclose(values[at], value, abs_tol=TOLERANCE), (member, node, c)
            assert bool(got.country_fallback[at]) == expected["fallback"], (member, node)
        compared += len(want)
        assert sum(got.weights.values()) == pytest.approx(1.0)
    return compared


@pytest.mark.parametrize(("seed", "profile"), [(3, "tiers"), (7, "tiers")])
def test_the_model_equals_the_reference_with_the_real_tables(engine_store, seed, profile):
    batch = forum(seed, profile)
    graph = nx.DiGraph((s.buyer, s.seller) for s in batch.sourcing)
    assert not nx.is_directed_acyclic_graph(graph)  # cycles
    assert any(graph.in_degree(n) > 1 for n in graph)  # diamonds
    engine_store.write(batch)
    import_table(engine_store, ILAB, "goods")
    import_table(engine_store, WGI, "countries")
    tables = load_tables(engine_store)
    assert compare(engine_store, batch, tables, Weights()) > 100
    # The cases the comparison must have met: listed goods, the worst-country fallback,
    # single points of failure and inherited exposure.
    member = min(o.id for o in batch.organisations if o.kind.value == "member")
    view = member_view(principal=Principal(Role.ANALYST, member, "k"), store=engine_store)
    risk = member_risk(view, engine_store, REFERENCE_DAY, tables, Weights())
    seen = {c: v[risk.in_network] for c, v in risk.components.items() if v is not None}
    assert (seen["goods"] >= 0.5).any() and (seen["criticality"] > 0).any()
    assert (seen["upstream"] > 0).any() and risk.country_fallback.any()


def test_without_tables_country_and_goods_are_absent_and_the_rest_reweighted(engine_store):
    batch = forum(5)
    engine_store.write(batch)
    weights = Weights(decay=0.7)
    assert compare(engine_store, batch, load_tables(engine_store), weights) > 100
    member = next(o.id for o in batch.organisations if o.kind.value == "member")
    view = member_view(principal=Principal(Role.SOURCING, member, "k"), store=engine_store)
    risk = member_risk(view, engine_store, REFERENCE_DAY, load_tables(engine_store), weights)
    assert set(risk.absent) == {"country", "goods"}
    assert risk.components["country"] is None and risk.components["goods"] is None
    assert risk.weights["country"] == risk.weights["goods"] == 0
    assert risk.weights["audit"] == pytest.approx(0.2 / 0.6)


def test_other_weights_and_decay(engine_store):
    batch = forum(8)
    engine_store.write(batch)
    import_table(engine_store, WGI, "countries")
    weights = Weights(
        country=0.1, goods=0.3, audit=0.1, cascade=0.1, upstream=0.3, criticality=0.1, decay=0.9
    )
    assert compare(engine_store, batch, load_tables(engine_store), weights) > 100
