"""Country names as risk tables write them, mapped to ISO 3166-1 alpha-2.

The forms ILAB and the World Bank use that ISO does not (docs/risk.md lists
them), then the project's country names (loaders.countries: ISO's names through
the iso3166 package, alpha-3 codes and common names), then pycountry's exact
lookup (official and common names). A World Bank aggregate (a region,
an income group, the world) is recognised as not a country: an importer lists it
as skipped with the reason, and never blocks on it.
"""

from __future__ import annotations

import re

import iso3166
import pycountry

from loaders.countries import code_for, fold

# ILAB's and the World Bank's names for countries whose ISO short name differs.
ALIASES = {
    "Burma": "MM",
    "Congo, Democratic Republic of the": "CD",
    "Congo, Dem. Rep.": "CD",
    "Congo, Rep.": "CG",
    "Korea, Dem. Rep.": "KP",
    "Korea, Dem. People's Rep.": "KP",
    "Korea, Rep.": "KR",
    "Côte d'Ivoire": "CI",
    "Cote d'Ivoire": "CI",
    "Türkiye": "TR",
    "Turkey (Türkiye)": "TR",
    "Egypt, Arab Rep.": "EG",
    "Iran, Islamic Rep.": "IR",
    "Yemen, Rep.": "YE",
    "Venezuela, RB": "VE",
    "Gambia, The": "GM",
    "Bahamas, The": "BS",
    "Micronesia, Fed. Sts.": "FM",
    "Kyrgyz Republic": "KG",
    "Lao PDR": "LA",
    "Slovak Republic": "SK",
    "St. Kitts and Nevis": "KN",
    "St. Lucia": "LC",
    "St. Vincent and the Grenadines": "VC",
    "Hong Kong SAR, China": "HK",
    "Macao SAR, China": "MO",
    "Taiwan, China": "TW",
    "West Bank and Gaza": "PS",
    "Jersey, Channel Islands": "JE",
    "Nauru": "NR",
    "Kosovo": "XK",  # not in ISO 3166-1: the user-assigned code the World Bank and EU use
    "Curacao": "CW",
    "Sint Maarten (Dutch part)": "SX",
    "St. Martin (French part)": "MF",
    "Virgin Islands (U.S.)": "VI",
    "British Virgin Islands": "VG",
    "Turks and Caicos Islands": "TC",
}
_ALIASES = {fold(name): code for name, code in ALIASES.items()}

# The World Bank's aggregates: regions, income and lending groups, the world.
AGGREGATES = (
    "World",
    "Africa Eastern and Southern",
    "Africa Western and Central",
    "Arab World",
    "Caribbean small states",
    "Central Europe and the Baltics",
    "Early-demographic dividend",
    "East Asia & Pacific",
    "Euro area",
    "Europe & Central Asia",
    "European Union",
    "Fragile and conflict affected situations",
    "Heavily indebted poor countries (HIPC)",
    "High income",
    "IBRD only",
    "IDA & IBRD total",
    "IDA blend",
    "IDA only",
    "IDA total",
    "Late-demographic dividend",
    "Latin America & Caribbean",
    "Least developed countries: UN classification",
    "Low & middle income",
    "Low income",
    "Lower middle income",
    "Middle East & North Africa",
    "Middle income",
    "North America",
    "Not classified",
    "OECD members",
    "Other small states",
    "Pacific island small states",
    "Post-demographic dividend",
    "Pre-demographic dividend",
    "Small states",
    "South Asia",
    "Sub-Saharan Africa",
    "Upper middle income",
)
_AGGREGATES = {fold(name) for name in AGGREGATES}
# Words only an aggregate's name holds (a region or group named in a newer edition).
_AGGREGATE_WORDS = re.compile(
    r"\b(income|ida|ibrd|excluding|dividend|small states|world|area|region|members)\b"
)
_ALPHA2 = re.compile(r"^[A-Za-z]{2}$")


def country_code(name: str) -> str | None:
    """The alpha-2 code of a country name, alias or code; None when unknown."""
    value = name.strip()
    if _ALPHA2.match(value):
        code = value.upper()
        return code if code in iso3166.countries_by_alpha2 or code == "XK" else None
    return _ALIASES.get(fold(value)) or code_for(value) or _pycountry(value)


def _pycountry(name: str) -> str | None:
    """pycountry's exact lookup: official and common names and the ISO names of the
    countries that have changed (no fuzzy search: a guess could map a region)."""
    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        return None


def is_aggregate(name: str) -> bool:
    """A World Bank aggregate rather than a country."""
    folded = fold(name)
    return folded in _AGGREGATES or (
        country_code(name) is None and bool(_AGGREGATE_WORDS.search(folded))
    )
