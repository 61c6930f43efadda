"""The importers on the real tables (../shared/risk/) and on small files that break
them: every name maps to the right ISO code, every problem is named with its row,
nothing is imported until all is well."""

from __future__ import annotations

from datetime import date

import pytest

from graph.sqlite_store import SqliteStore
from risk.countries import country_code
from risk.importers import ImportFailed, import_table
from risk.tables import load_tables
from tests.risk.real_tables import ILAB, WGI, rows

DAY = date(2026, 11, 30)
# Names as the tables write them, with the code ISO 3166-1 gives the country.
NAMED = {
    "Côte d'Ivoire": "CI",
    "Burma": "MM",
    "Congo, Democratic Republic of the": "CD",
    "Congo, Dem. Rep.": "CD",
    "Congo, Rep.": "CG",
    "Korea, Dem. Rep.": "KP",
    "North Korea": "KP",
    "Korea, Rep.": "KR",
    "Türkiye": "TR",
    "Turkey (Türkiye)": "TR",
    "Egypt, Arab Rep.": "EG",
    "Egypt": "EG",
    "Iran, Islamic Rep.": "IR",
    "Iran": "IR",
    "Russia": "RU",
    "Russian Federation": "RU",
    "Kyrgyz Republic": "KG",
    "Lao PDR": "LA",
    "Venezuela, RB": "VE",
    "Yemen, Rep.": "YE",
    "Gambia, The": "GM",
    "Bahamas, The": "BS",
    "Micronesia, Fed. Sts.": "FM",
    "Slovak Republic": "SK",
    "St. Kitts and Nevis": "KN",
    "St. Lucia": "LC",
    "St. Vincent and the Grenadines": "VC",
    "Macao SAR, China": "MO",
    "West Bank and Gaza": "PS",
    "Jersey, Channel Islands": "JE",
    "Eswatini": "SZ",
    "Taiwan": "TW",
    "Vietnam": "VN",
    "Tanzania": "TZ",
    "Bolivia": "BO",
    "Niger": "NE",
    "Nigeria": "NG",
    "Guinea": "GN",
    "Guinea-Bissau": "GW",
    "Equatorial Guinea": "GQ",
    "Dominica": "DM",
    "Dominican Republic": "DO",
    "Sudan": "SD",
    "South Sudan": "SS",
    "Cabo Verde": "CV",
    "Cape Verde": "CV",
    "São Tomé and Principe": "ST",
    "Timor-Leste": "TL",
    "North Macedonia": "MK",
    "United Kingdom": "GB",
    "United States": "US",
    "Kosovo": "XK",
    "Ghana": "GH",
    "Indonesia": "ID",
    "Malaysia": "MY",
}


@pytest.fixture
def store(tmp_path):
    s = SqliteStore(tmp_path / "data")
    yield s
    s.close()


def test_every_ilab_country_maps_and_the_named_ones_to_their_iso_code():
    names = {r["country"] for r in rows(ILAB)}
    assert len(names) == 78
    codes = {n: country_code(n) for n in names}
    assert all(codes.values()), [n for n, c in codes.items() if c is None]
    assert len(set(codes.values())) == 78  # no two names on one code
    for name in names & set(NAMED):
        assert codes[name] == NAMED[name], name
    assert len(names & set(NAMED)) >= 20


def test_every_wgi_row_maps_and_the_named_ones_to_their_iso_code():
    names = [r["Country/Territory"] for r in rows(WGI)]
    codes = {n: country_code(n) for n in names}
    assert all(codes.values()), [n for n, c in codes.items() if c is None]
    assert len(set(codes.values())) == len(names) == 213
    for name in set(names) & set(NAMED):
        assert codes[name] == NAMED[name], name
    assert len(set(names) & set(NAMED)) >= 35


def test_the_real_tables_import_with_their_versions(store):
    goods = import_table(store, ILAB, "goods", today=DAY)
    countries = import_table(store, WGI, "countries", today=DAY)
    assert (goods.rows, goods.countries, goods.edition, goods.format) == (467, 78, "2022", "ilab")
    assert (countries.rows, countries.countries, countries.edition) == (213, 213, "2022")
    assert countries.format == "wgi" and not countries.skipped and not goods.skipped
    tables = load_tables(store)
    assert tables.countries is not None and tables.goods is not None
    assert tables.countries.version.imported == DAY
    wgi = {r["Country/Territory"]: float(r["2022"]) for r in rows(WGI)}
    assert tables.countries.scores["CI"] == wgi["Côte d'Ivoire"]
    assert tables.countries.scores["CD"] == wgi["Congo, Dem. Rep."]
    assert tables.countries.scores["TR"] == wgi["Türkiye"]
    # ILAB's Cocoa in Côte d'Ivoire: child labour and forced child labour -> 1.
    assert tables.goods.level[("cocoa", "CI")] == 1.0
    listed = {(r["good"], r["country"]): r for r in rows(ILAB)}
    crude = listed[("Crude Palm Oil", "Indonesia")]
    assert crude["derived_labor_exploitation"] == "Yes" and crude["child_labor"] == "No"
    assert tables.goods.level[("crude palm oil", "ID")] == 0.5
    bananas = listed[("Bananas", "Belize")]
    assert (bananas["child_labor"], bananas["forced_labor"]) == ("Yes", "No")
    assert tables.goods.level[("bananas", "BZ")] == 0.7


def test_a_new_table_replaces_the_previous_and_says_which(store, tmp_path):
    import_table(store, WGI, "countries", today=DAY)
    plain = tmp_path / "tip_2024.csv"
    plain.write_text("country,score\nGhana,0.6\nCôte d'Ivoire,0.4\n", encoding="utf-8")
    report = import_table(store, plain, "countries", source="TIP tiers", today=DAY)
    assert report.format == "plain" and report.edition == "2024"
    assert report.replaced is not None and report.replaced["edition"] == "2022"
    tables = load_tables(store)
    assert tables.countries is not None
    assert tables.countries.scores == {"GH": 0.6, "CI": 0.4}
    assert tables.countries.version.source == "TIP tiers"


def test_every_unknown_name_is_named_with_its_row_and_nothing_is_imported(store, tmp_path):
    import_table(store, WGI, "countries", today=DAY)
    before = store.risk_tables()
    bad = tmp_path / "index_2025.csv"
    bad.write_text(
        "country,score\nGhana,0.5\nNarnia,0.2\nDE,0.9\nAtlantis,0.1\nPeru,1.5\n", encoding="utf-8"
    )
    with pytest.raises(ImportFailed) as caught:
        import_table(store, bad, "countries", today=DAY)
    report = caught.value.report
    assert report.unmapped == [{"row": 3, "name": "Narnia"}, {"row": 5, "name": "Atlantis"}]
    assert report.errors == [
        {"row": 6, "field": "score", "message": "'1.5' is not a number in 0..1"}
    ]
    assert store.risk_tables() == before
    bad.write_text("country,score\nGhana,0.5\nNarnia,0.2\nAtlantis,0.1\n", encoding="utf-8")
    report = import_table(store, bad, "countries", skip=("narnia", "Atlantis", "Oz"), today=DAY)
    assert [s["name"] for s in report.skipped] == ["Narnia", "Atlantis"]
    assert report.unused_skips == ["Oz"] and report.rows == 1


def test_world_bank_aggregates_are_listed_as_skipped_not_blocking(store, tmp_path):
    wgi = tmp_path / "wgi_2023.csv"
    wgi.write_text(
        "Country/Territory,2022,2023\nGhana,0.5,0.51\nWorld,0.5,0.5\n"
        "Sub-Saharan Africa (excluding high income),0.3,0.3\nChad,..,..\n",
        encoding="utf-8",
    )
    report = import_table(store, wgi, "countries", today=DAY)
    assert report.edition == "2023" and report.rows == 1
    assert [(s["row"], s["reason"]) for s in report.skipped] == [
        (3, "an aggregate, not a country"),
        (4, "an aggregate, not a country"),
        (5, "no score"),
    ]
    tables = load_tables(store)
    assert tables.countries is not None and tables.countries.scores == {"GH": 0.51}


def test_ilab_spreadsheet_headers_and_bad_flags(store, tmp_path):
    sheet = tmp_path / "ilab_2024.csv"
    sheet.write_text(
        "Good,Sector,Country,Region,Child Labor,Forced Labor,Forced Child Labor\n"
        "Cocoa,Agriculture,Ghana,Africa,Yes,No,No\n"
        "Gold,Mining,Burma,Asia,Yes,Maybe,No\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as caught:
        import_table(store, sheet, "goods", today=DAY)
    assert caught.value.report.errors == [
        {"row": 3, "field": "forced_labor", "message": "'Maybe' is not Yes or No"}
    ]
    sheet.write_text(sheet.read_text().replace("Maybe", "Yes"), encoding="utf-8")
    report = import_table(store, sheet, "goods", today=DAY)
    assert report.edition == "2024" and report.rows == 2
    tables = load_tables(store)
    assert tables.goods is not None
    assert tables.goods.level == {("cocoa", "GH"): 0.7, ("gold", "MM"): 1.0}


def test_a_file_without_a_year_needs_an_edition(store, tmp_path):
    plain = tmp_path / "index.csv"
    plain.write_text("country,score\nGhana,0.5\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        import_table(store, plain, "countries", today=DAY)
    assert caught.value.report.errors[0]["field"] == "edition"
    report = import_table(store, plain, "countries", edition="v3", today=DAY)
    assert report.edition == "v3" and report.source == "index.csv"
