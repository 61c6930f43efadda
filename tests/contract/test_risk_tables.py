"""Risk tables on every store: kept with their version, a new one of a kind replaces
the old whole, the graph does not see them; commodities of SOURCES_FROM edges."""

from __future__ import annotations

from graph.store import RiskTableRecord
from tests.factories import small_network


def _table(kind: str, edition: str, rows: list[list]) -> RiskTableRecord:
    return RiskTableRecord(kind, f"source of {kind}", edition, "2026-11-30", rows)


def test_a_table_is_kept_with_its_source_edition_and_day(store):
    store.write(small_network())
    countries = _table("countries", "2022", [["GH", 0.45, "Ghana"], ["CI", 0.38, "Côte d'Ivoire"]])
    store.save_risk_table(countries)
    assert store.risk_tables() == [countries]
    goods = _table(
        "goods", "2022", [["Cocoa", "Agriculture", "GH", "Ghana", True, True, False, False]]
    )
    store.save_risk_table(goods)
    assert store.risk_tables() == [countries, goods]  # by kind


def test_a_new_table_replaces_the_old_one_of_its_kind_only(store):
    store.save_risk_table(
        _table("countries", "2021", [["GH", 0.4, "Ghana"], ["DE", 0.8, "Germany"]])
    )
    goods = _table("goods", "2022", [["Cocoa", "", "GH", "Ghana", True, False, False, False]])
    store.save_risk_table(goods)
    newer = _table("countries", "2022", [["GH", 0.45, "Ghana"]])
    store.save_risk_table(newer)
    store.save_risk_table(newer)  # idempotent
    assert store.risk_tables() == [newer, goods]


def test_risk_tables_are_not_part_of_the_graph(store):
    store.write(small_network())
    before = store.counts(), store.export()
    store.save_risk_table(_table("countries", "2022", [["GH", 0.45, "Ghana"]]))
    assert (store.counts(), store.export()) == before
    store.clear()
    assert store.risk_tables() == []  # clear empties everything beside the graph too


def test_countries_and_commodities_as_columns(store):
    batch = small_network()
    store.write(batch)
    handles, ids, country_index, country_names = store.organisation_countries()
    assert country_names == sorted({o.country for o in batch.organisations})
    countries = [country_names[i] for i in list(country_index)]
    assert sorted(zip(ids, countries, strict=True)) == sorted(
        (o.id, o.country) for o in batch.organisations
    )
    id_of = dict(zip(list(handles), ids, strict=True))
    buyers, sellers, index, names = store.sourcing_commodities()
    assert names == sorted({s.commodity for s in batch.sourcing})
    found = sorted(
        (id_of[b], id_of[s], names[i])
        for b, s, i in zip(list(buyers), list(sellers), list(index), strict=True)
    )
    assert found == sorted((s.buyer, s.seller, s.commodity) for s in batch.sourcing)


def test_no_commodities_in_an_empty_store(store):
    handles, ids, country_index, countries = store.organisation_countries()
    buyers, sellers, index, names = store.sourcing_commodities()
    assert (len(handles), ids, len(country_index), countries) == (0, [], 0, [])
    assert (len(buyers), len(sellers), len(index), names) == (0, 0, 0, [])


def test_countries_as_columns_whatever_they_hold(store):
    """Two ASCII characters are read as fixed-width bytes on the embedded store; a
    missing country, and one of another length or outside ASCII (not ISO, but
    stored as written), are read as they are."""
    from graph.model import GraphBatch
    from tests.factories import org

    for extra in ([], [org("S-ODD", country="GHA")], [org("S-ODD", country="Éi")]):
        store.clear()
        organisations = [org("M1", "member", "NL"), org("S1", country=""), org("S2", country="CI")]
        store.write(GraphBatch(organisations=[*organisations, *extra]))
        handles, ids, country_index, names = store.organisation_countries()
        expected = {o.id: o.country for o in [*organisations, *extra]}
        assert names == sorted(set(expected.values()))
        assert dict(zip(ids, (names[i] for i in list(country_index)), strict=True)) == expected
