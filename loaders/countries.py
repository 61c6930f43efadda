"""Country names and alpha-3 codes people write in a country column, mapped to the
ISO 3166-1 alpha-2 code the load wants ('Germany', 'DEU': use DE)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import iso3166

# Common names that are not ISO's short names (ISO: "Viet Nam", "Korea, Republic of"...).
ALIASES = {
    "ivory coast": "CI",
    "vietnam": "VN",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "south korea": "KR",
    "north korea": "KP",
    "russia": "RU",
    "laos": "LA",
    "syria": "SY",
    "czech republic": "CZ",
    "turkey": "TR",
    "holland": "NL",
    "netherlands": "NL",
    "burma": "MM",
    "swaziland": "SZ",
    "macedonia": "MK",
    "cape verde": "CV",
    "east timor": "TL",
    "palestine": "PS",
    "vatican": "VA",
    "brunei": "BN",
    "drc": "CD",
    "dr congo": "CD",
    "democratic republic of the congo": "CD",
    "republic of the congo": "CG",
    "taiwan": "TW",
    "iran": "IR",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
}


def fold(name: str) -> str:
    """Case, accents and punctuation folded: "Côte d'Ivoire" -> "cote d ivoire"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return text.removeprefix("the ")


@cache
def _by_name() -> dict[str, str]:
    names: dict[str, set[str]] = {}
    for country in iso3166.countries:
        for name in (country.name, country.apolitical_name):
            names.setdefault(fold(name), set()).add(country.alpha2)
            head = name.split(",")[0]  # "Tanzania, United Republic of" -> "Tanzania"
            names.setdefault(fold(head), set()).add(country.alpha2)
    found = {name: codes.pop() for name, codes in names.items() if len(codes) == 1}
    found.update((fold(alias), code) for alias, code in ALIASES.items())
    return found


def code_for(value: str) -> str | None:
    """The alpha-2 code a country name or alpha-3 code stands for, or None."""
    country = iso3166.countries_by_alpha3.get(value.strip().upper())
    if country is not None:
        return country.alpha2
    return _by_name().get(fold(value))
