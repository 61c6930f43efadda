"""What the generator gives organisations beyond their names: identifiers that
pass matching.identifiers' checks and are unique in a network, abbreviations,
and locations (WGS84) for mills, farms and the sites around them.

Locations scatter around a few rough centres per country (synthetic: a point may
fall in a lake); a farm lies within about 10 km of the buyer it first sold to.
"""

from __future__ import annotations

import random

from matching.identifiers import gs1_check_digit, lei_check_digits, os_id_check_character

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Open Supply Hub's base 32
_SCRAMBLE = 0x9E3779B97F4A7C15  # odd: n -> n * _SCRAMBLE is one-to-one modulo 2**k and 36**k

# country -> (lat, lon, spread in degrees) of the regions where its sites are
_CENTRES: dict[str, tuple[tuple[float, float, float], ...]] = {
    "ID": ((0.5, 101.5, 1.5), (-1.0, 113.5, 1.5), (-2.5, 104.0, 1.0), (1.0, 117.0, 1.0)),
    "MY": ((3.8, 102.3, 1.0), (5.3, 117.2, 0.8), (2.5, 112.5, 0.8)),
    "TH": ((8.8, 99.3, 0.8),),
    "CO": ((4.5, -73.5, 1.5), (7.5, -73.5, 1.0)),
    "GT": ((15.6, -90.3, 0.6),),
    "HN": ((15.3, -87.2, 0.6),),
    "PG": ((-5.8, 145.0, 1.2),),
    "NG": ((7.0, 5.5, 1.5), (9.0, 8.0, 1.5)),
    "CI": ((6.8, -5.3, 1.2), (5.9, -6.5, 0.8)),
    "GH": ((6.7, -1.6, 0.8), (6.1, -2.5, 0.6)),
    "CM": ((4.2, 11.5, 1.0),),
    "LR": ((6.5, -9.5, 0.6),),
    "EC": ((-1.0, -79.5, 0.8),),
    "PE": ((-6.5, -76.5, 1.5),),
    "BR": ((-14.0, -48.0, 3.0), (-20.0, -44.0, 2.0), (-12.5, -39.0, 1.5)),
    "MX": ((17.5, -96.5, 1.5),),
    "AR": ((-32.5, -61.5, 2.0),),
    "PY": ((-25.0, -56.5, 1.0),),
    "BO": ((-17.0, -63.5, 1.0),),
    "VN": ((12.5, 108.0, 1.0),),
    "IN": ((11.5, 76.5, 1.5), (26.5, 93.5, 1.0), (19.5, 75.0, 2.0)),
    "LK": ((7.0, 80.7, 0.4),),
    "CN": ((27.0, 113.0, 3.0),),
    "ET": ((7.5, 38.0, 1.5),),
    "UG": ((0.8, 32.5, 1.0),),
    "KE": ((-0.4, 36.8, 0.8),),
    "MW": ((-13.5, 33.8, 1.0),),
    "RW": ((-2.0, 29.8, 0.3),),
    "ZA": ((-26.5, 29.0, 2.0),),
    "AU": ((-19.0, 146.5, 2.0),),
    "US": ((41.5, -93.5, 3.0),),
    "SG": ((1.33, 103.75, 0.05),),
    "NL": ((51.9, 4.4, 0.4),),
    "BE": ((51.2, 4.4, 0.3),),
    "DE": ((53.5, 10.0, 0.5), (51.3, 7.0, 0.5)),
    "CH": ((47.4, 8.5, 0.3),),
}
_NEAR = 0.1  # degrees around a farm's buyer (about 10 km)
_LEGAL_WORDS = frozenset("Ltd Pte Sdn Bhd PT Inc GmbH AG NV B.V. Inc. Co.".split())


def lei(n: int) -> str:
    """An LEI (prefix 5493, as GLEIF's own LOU issues) with its check digits."""
    body = f"5493{_base(n * _SCRAMBLE % 36**14, 14, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ')}"
    return body + lei_check_digits(body)


def duns(n: int) -> str:
    return str(n % 900_000_000 + 100_000_000)


def gln(n: int) -> str:
    body = f"87{n % 10**10:010d}"  # 87: GS1 Netherlands' prefix
    return body + gs1_check_digit(body)


def os_id(n: int, country: str) -> str:
    """An Open Supply Hub id: country, year and day, 5 base-32 characters, check character."""
    body = f"{country}{2019 + n % 7}{n % 365 + 1:03d}"
    body += _base(n * _SCRAMBLE % 32**5, 5, _CROCKFORD)
    return body + os_id_check_character(body)


def uml(series: int, number: int) -> str:
    """A UML mill id, PO and 10 digits: one per (series, number), so a mill's id
    follows from its organisation id and never lands on another mill."""
    return f"PO{series}{number:09d}"


def abbreviation(name: str, tag: str = "") -> str:
    """The initials of a name's words, legal forms left out ("Gold Coast Cocoa
    Cooperative" -> "GCCC"), then `tag` (namesake cooperatives differ by it)."""
    initials = "".join(w[0] for w in name.split() if w not in _LEGAL_WORDS and w[0].isalpha())
    return f"{initials.upper()}{'-' + tag if tag else ''}"


def tag(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHKLMNPRSTUY") for _ in range(2))


def location(
    rng: random.Random, country: str, near: tuple[float | None, float | None] = (None, None)
) -> tuple[float | None, float | None]:
    """A point near `near` when it is one, else in one of the country's regions;
    (None, None) for a country the table does not know."""
    lat, lon = near
    if lat is not None and lon is not None:
        spread = _NEAR
    else:
        centres = _CENTRES.get(country)
        if centres is None:
            return None, None
        lat, lon, spread = centres[int(rng.random() * len(centres))]
    # the centres lie far enough from the poles and the antimeridian: no clamping
    r = rng.random
    return round(lat + (r() * 2 - 1) * spread, 5), round(lon + (r() * 2 - 1) * spread, 5)


def _base(n: int, width: int, digits: str) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, len(digits))
        out.append(digits[r])
    return "".join(reversed(out))
