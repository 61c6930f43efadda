"""The member's network and one organisation of it, as its people see them."""

from __future__ import annotations

import pytest

from access.errors import BadUserInput
from graph.model import Kind
from tests.views.forum import PRINCIPALS, forum
from views import network

M1, M2 = PRINCIPALS["sourcing"], PRINCIPALS["other member"]


def ids(page) -> list[tuple[str, int]]:
    return [(n.id, n.tier) for n in page.items]


def test_the_network_by_tier_then_id_with_filters(store):
    store.write(forum())
    page = network.network(principal=M1, store=store)
    assert ids(page) == [("S1", 1), ("S3", 1), ("S2", 2), ("S4", 2), ("F1", 3)]
    assert (page.total, page.has_next) == (5, False)
    assert page.items[-1].kind == Kind.SMALLHOLDER
    assert ids(network.network(principal=M1, store=store, tier=2)) == [("S2", 2), ("S4", 2)]
    assert ids(network.network(principal=M1, store=store, kind=Kind.SMALLHOLDER)) == [("F1", 3)]
    by_country = network.network(principal=M1, store=store, country="gh")
    assert ids(by_country) == [("S1", 1), ("S3", 1), ("F1", 3)] and by_country.total == 3


def test_another_members_network_holds_only_its_own_nodes(store):
    store.write(forum())
    assert ids(network.network(principal=M2, store=store)) == [("S4", 1), ("S9", 1)]


def test_pages_follow_each_other_without_overlap(store):
    store.write(forum())
    seen, after = [], None
    for _ in range(3):
        page = network.network(principal=M1, store=store, first=2, after=after)
        seen += ids(page)
        after = page.end_cursor
        if not page.has_next:
            break
    assert seen == [("S1", 1), ("S3", 1), ("S2", 2), ("S4", 2), ("F1", 3)]
    assert not page.has_next and page.total == 5


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"first": 0}, "first"),
        ({"first": 501}, "first"),
        ({"tier": 0}, "tier"),
        ({"country": "Ghana"}, "country"),
        ({"after": "not-a-cursor"}, "after"),
        ({"after": "WzEsMiwzXQ=="}, "after"),  # a cursor of another shape: [1,2,3]
    ],
)
def test_bad_arguments_are_named(store, arguments, field):
    store.write(forum())
    with pytest.raises(BadUserInput) as refused:
        network.network(principal=M1, store=store, **arguments)
    assert refused.value.field == field


def test_an_organisation_with_its_tier_and_details(store):
    store.write(forum())
    card = network.organisation(principal=M1, store=store, id="S1")
    assert (card.organisation.id, card.tier, card.organisation.lei) == ("S1", 1, "L1")
    assert network.organisation(principal=M1, store=store, id="M1").tier == 0  # itself


def test_buyers_are_only_those_inside_the_members_view(store):
    """S4 sells to S1 (in M1's network) and to M2: M1 learns of S1 only, and the
    count says one; M2 sees itself as S4's buyer and nothing of M1's."""
    store.write(forum())
    s4 = network.buyers(principal=M1, store=store, id="S4")
    assert [(n.id, n.tier) for n in s4.nodes] == [("S1", 1)] and s4.count == 1
    assert [n.id for n in network.buyers(principal=M2, store=store, id="S4").nodes] == ["M2"]
    assert [n.id for n in network.buyers(principal=M1, store=store, id="S1").nodes] == ["M1"]
    s2 = network.buyers(principal=M1, store=store, id="S2")
    assert [n.id for n in s2.nodes] == ["S1", "S3"]


def test_suppliers_by_tier_then_id_first_ones_and_a_count(store):
    store.write(forum())
    s2 = network.suppliers(principal=M1, store=store, id="S2")
    assert [(n.id, n.tier) for n in s2.nodes] == [("S3", 1), ("F1", 3)] and s2.count == 2
    m1 = network.suppliers(principal=M1, store=store, id="M1", first=1)
    assert [n.id for n in m1.nodes] == ["S1"] and m1.count == 2


def test_requirements_reached_and_adopted(store):
    store.write(forum())
    reach = {
        i: [
            (r.requirement, r.reached, r.adopted)
            for r in network.requirements_reached(principal=M1, store=store, id=i)
        ]
        for i in ("S1", "S2", "S3")
    }
    assert reach == {
        "S1": [("R1", True, True)],
        "S2": [("R1", False, False)],  # passed on to it, not adopted
        "S3": [("R1", False, True)],  # adopted, but no chain of PASSED_ON leads to it
    }


def test_me_for_each_role(store):
    store.write(forum())
    assert network.me(principal=M1, store=store).organisation.id == "M1"
    inside = network.me(principal=PRINCIPALS["supplier inside"], store=store)
    assert inside.organisation.id == "S1" and inside.principal.role == "supplier"
    assert network.me(principal=PRINCIPALS["operator"], store=store).organisation is None
