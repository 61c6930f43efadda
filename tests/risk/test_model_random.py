"""member_risk against the naive reference on random small forums (hypothesis):
cycles, diamonds, back edges to the member, several commodities on one pair, nodes
outside the member's network that buy from inside it."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.model import (
    Adoption,
    Audit,
    GraphBatch,
    PassOn,
    Recognition,
    Requirement,
    Requires,
    Sourcing,
)
from graph.sqlite_store import SqliteStore
from graph.store import RiskTableRecord
from risk.tables import load_tables
from risk.weights import Weights
from tests.factories import org
from tests.risk.test_model_reference import compare

DAY = date(2026, 6, 30)
COUNTRIES = ["CI", "GH", "ID", "MM", "DE", "AQ"]  # AQ: not in the table
COMMODITIES = ["cocoa", "Palm Oil", "gold", "widgets", "Crude Palm Oil"]
GOVERNANCE = [["CI", 0.38, "Côte d'Ivoire"], ["GH", 0.52, "Ghana"], ["ID", 0.47, "Indonesia"],
              ["MM", 0.18, "Burma"], ["DE", 0.82, "Germany"]]  # fmt: skip
GOODS = [
    ["Cocoa", "", "CI", "", True, False, True, False],
    ["Cocoa", "", "GH", "", True, False, False, False],
    ["Palm Fruit", "", "ID", "", True, True, False, False],
    ["Crude Palm Oil", "", "ID", "", False, False, False, True],
    ["Gold", "", "MM", "", True, False, False, False],
    ["Gold", "", "GH", "", False, False, False, True],
]


@st.composite
def forums(draw):
    n = draw(st.integers(4, 14))
    ids = [f"N{i:02d}" for i in range(n)]
    members = ["M0", "M1"]
    kinds = {i: draw(st.sampled_from(["supplier", "supplier", "smallholder"])) for i in ids}
    orgs = [org(m, "member", country="DE") for m in members]
    orgs += [org(i, kinds[i], country=draw(st.sampled_from(COUNTRIES))) for i in ids]
    everyone = members + ids
    buyers = [o for o in everyone if kinds.get(o) != "smallholder"]
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(buyers), st.sampled_from(everyone)), max_size=40)
    )
    edges = {(a, b) for a, b in pairs if a != b}
    sourcing = [
        Sourcing(a, b, c)
        for a, b in sorted(edges)
        for c in draw(st.lists(st.sampled_from(COMMODITIES), min_size=1, max_size=2, unique=True))
    ]
    requires = [Requires("M0", r) for r in draw(st.sets(st.sampled_from(["R1", "R2"])))]
    passed = [
        PassOn(a, b, r) for a, b in sorted(edges) for r in ("R1", "R2") if draw(st.booleans())
    ]
    adopted = [Adoption(o, r) for o in everyone for r in ("R1", "R2") if draw(st.booleans())]
    audits = [
        Audit(
            f"A{k}",
            draw(st.sampled_from(ids)),
            draw(st.sampled_from(["SMETA", "BSCI"])),
            DAY - timedelta(days=draw(st.integers(0, 400))),
            DAY + timedelta(days=draw(st.integers(-30, 300))),
            draw(st.sampled_from(members)),
            None,
            None,
            draw(st.booleans()),
        )
        for k in range(draw(st.integers(0, 6)))
    ]
    return GraphBatch(
        organisations=orgs,
        requirements=[Requirement("R1", "Code"), Requirement("R2", "Other")],
        requires=requires,
        sourcing=sourcing,
        pass_on=passed,
        adoptions=adopted,
        audits=audits,
        recognitions=[Recognition("M0", "SMETA"), Recognition("M1", "BSCI")],
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=forums(), with_tables=st.booleans(), decay=st.sampled_from([0.5, 0.8, 1.0]))
def test_random_forums_equal_the_reference(batch, with_tables, decay):
    store = SqliteStore(None)
    try:
        store.write(batch)
        if with_tables:
            store.save_risk_table(
                RiskTableRecord("countries", "test", "1", "2026-01-01", GOVERNANCE)
            )
            store.save_risk_table(RiskTableRecord("goods", "test", "1", "2026-01-01", GOODS))
        compare(store, batch, load_tables(store), Weights(decay=decay), day=DAY)
    finally:
        store.close()
