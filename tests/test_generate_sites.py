"""What generated organisations are known by: valid identifiers held once,
abbreviations, and locations for mills, estates, cooperatives and farms."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from graph.model import IDENTIFIER_FIELDS, GraphBatch, Kind
from loaders.generate import generate
from matching.identifiers import check


@pytest.fixture(scope="module", params=["tiers", "brands"])
def network(request) -> GraphBatch:
    return generate(nodes=4000, seed=5, profile=request.param)


def _prefix(org_id: str) -> str:
    return org_id.split("-")[1] if org_id.startswith("S-") else org_id.split("-")[0]


def test_every_identifier_is_valid_normalised_and_held_once(network: GraphBatch) -> None:
    held = Counter()
    for o in network.organisations:
        for kind in IDENTIFIER_FIELDS:
            value = getattr(o, kind)
            if value is not None:
                assert check("uml" if kind == "mill_id" else kind, value) == value
                held[kind, value] += 1
    assert {kind for kind, _ in held} == set(IDENTIFIER_FIELDS)
    assert [claim for claim, n in held.items() if n > 1] == []


def test_a_mill_keeps_its_uml_id_whatever_the_network_around_it() -> None:
    small = {o.id: o.mill_id for o in generate(nodes=1600, seed=1, profile="brands").organisations}
    large = {o.id: o.mill_id for o in generate(nodes=6000, seed=2, profile="brands").organisations}
    both = [i for i in small.keys() & large.keys() if small[i] and large[i]]
    assert both and all(small[i] == large[i] for i in both)


def test_cooperatives_and_traders_have_abbreviations(network: GraphBatch) -> None:
    abbreviated = Counter(_prefix(o.id) for o in network.organisations if o.abbreviation)
    coops = sum(_prefix(o.id) == "COOP" for o in network.organisations)
    assert abbreviated["COOP"] >= 0.5 * coops and abbreviated["TRD"] >= 1
    assert set(abbreviated) <= {"COOP", "TRD"}
    coop = next(o for o in network.organisations if _prefix(o.id) == "COOP" and o.abbreviation)
    assert coop.abbreviation.split("-")[0] == "".join(w[0] for w in coop.name.split()).upper()


def test_mills_and_farms_have_locations_in_range(network: GraphBatch) -> None:
    located = Counter()
    for o in network.organisations:
        assert (o.lat is None) == (o.lon is None)
        if o.lat is not None:
            assert -90 <= o.lat <= 90 and -180 <= o.lon <= 180
            located[_prefix(o.id)] += 1
    kinds = Counter(_prefix(o.id) for o in network.organisations)
    mills = "MILL" if "MILL" in kinds else "PRC"
    assert located[mills] >= 0.4 * kinds[mills]
    assert 0.4 * kinds["SH"] <= located["SH"] <= 0.8 * kinds["SH"]
    assert set(located) <= {mills, "EST", "COOP", "SH"}


def test_a_farm_lies_near_the_located_buyer_it_first_sold_to(network: GraphBatch) -> None:
    at = {o.id: (o.lat, o.lon) for o in network.organisations if o.lat is not None}
    first_buyer: dict[str, str] = {}
    for s in network.sourcing:
        first_buyer.setdefault(s.seller, s.buyer)
    farms = [o for o in network.organisations if o.kind == Kind.SMALLHOLDER and o.id in at]
    near = [f for f in farms if first_buyer.get(f.id) in at]
    assert near
    for farm in near:
        (lat, lon), (blat, blon) = at[farm.id], at[first_buyer[farm.id]]
        assert math.hypot(lat - blat, lon - blon) <= 0.15
