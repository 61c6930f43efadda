"""Checking an organisation's identifiers: each check returns the normalised value
(upper case, spaces and hyphens removed) or raises a ValueError naming the problem.

The formats (docs/matching.md gives the sources):
- LEI, ISO 17442: 18 letters or digits and two check digits (02-98), ISO 7064 MOD 97-10.
- DUNS, Dun & Bradstreet: 9 digits (no check digit is published).
- GLN, GS1: 13 digits, the last a GS1 mod-10 check digit.
- OS ID, Open Supply Hub: 2-letter country, year and day of year (7 digits),
  5 Crockford base-32 characters, 1 check character; 15 in all.
- UML id, the Universal Mill List: PO and 10 digits.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable

KINDS: tuple[str, ...] = ("lei", "duns", "gln", "os_id", "uml")

_SEPARATORS = re.compile(r"[\s\-]+")
_LEI = re.compile(r"[0-9A-Z]{18}[0-9]{2}")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # base 32 without I, L, O, U
_OS_ID = re.compile(r"([A-Z]{2})([0-9]{4})([0-9]{3})([" + _CROCKFORD + r"]{5})(.)")
_UML = re.compile(r"PO[0-9]{10}")


def _compact(value: str, kind: str) -> str:
    """Spaces and hyphens dropped, upper case; only ASCII letters and digits pass on
    (a full-width or Arabic-Indic digit, or a dotless ı upper-cased to I, would
    otherwise be another spelling of one identifier, or one made out of another)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{kind}: empty")
    compact = _SEPARATORS.sub("", value)
    if not compact.isascii():
        raise ValueError(f"{kind} {value!r}: only the letters A-Z and the digits 0-9")
    return compact.upper()


def check_lei(value: str) -> str:
    """An LEI (ISO 17442) whose MOD 97-10 check digits are right."""
    lei = _compact(value, "LEI")
    if len(lei) != 20:
        raise ValueError(f"LEI {value!r}: {len(lei)} characters, an LEI has 20")
    if _LEI.fullmatch(lei) is None:
        raise ValueError(f"LEI {value!r}: only letters and digits, and the last two must be digits")
    # ISO 7064 MOD 97-10: letters count as 10..35; the whole number mod 97 is 1.
    if int("".join(str(int(ch, 36)) for ch in lei)) % 97 != 1:
        raise ValueError(f"LEI {value!r}: check digits {lei[-2:]} are wrong")
    # 98 - (n mod 97) is always 02..98: 00, 01 and 99 pass the sum but are never issued.
    if not 2 <= int(lei[-2:]) <= 98:
        raise ValueError(f"LEI {value!r}: check digits {lei[-2:]} are never issued (02 to 98)")
    return lei


def lei_check_digits(first18: str) -> str:
    """The two check digits that complete 18 LEI characters (to make test LEIs)."""
    number = int("".join(str(int(ch, 36)) for ch in first18.upper() + "00"))
    return f"{98 - number % 97:02d}"


def check_duns(value: str) -> str:
    """A DUNS number: 9 digits (written with or without hyphens: 15-048-3782)."""
    duns = _compact(value, "DUNS")
    if len(duns) != 9 or not duns.isdigit():  # ASCII only (_compact): 0-9
        raise ValueError(f"DUNS {value!r}: a DUNS number is 9 digits")
    return duns


def gs1_check_digit(digits: str) -> str:
    """GS1's mod-10 check digit for the digits before it: from the right, weights 3, 1, 3..."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def check_gln(value: str) -> str:
    """A GLN: 13 digits, the last GS1's check digit."""
    gln = _compact(value, "GLN")
    if len(gln) != 13 or not gln.isdigit():  # ASCII only (_compact): 0-9
        raise ValueError(f"GLN {value!r}: a GLN is 13 digits")
    if gs1_check_digit(gln[:12]) != gln[12]:
        raise ValueError(f"GLN {value!r}: check digit {gln[12]} is wrong")
    return gln


def os_id_check_character(first14: str) -> str:
    """Open Supply Hub's check character: the code points of the two country letters
    plus the base-32 value of every other character, mod 32, as a Crockford symbol."""
    total = ord(first14[0]) + ord(first14[1]) + sum(_CROCKFORD.index(ch) for ch in first14[2:])
    return _CROCKFORD[total % 32]


def check_os_id(value: str) -> str:
    """An OS ID (Open Supply Hub): e.g. DE20211253G9MQX or DE-2021125-3G9MQ-X."""
    os_id = _compact(value, "OS ID")
    if len(os_id) != 15:
        raise ValueError(f"OS ID {value!r}: {len(os_id)} characters, an OS ID has 15")
    parts = _OS_ID.fullmatch(os_id)
    if parts is None:
        raise ValueError(
            f"OS ID {value!r}: not country (2 letters), year and day (7 digits), "
            "5 base-32 characters and a check character"
        )
    last = 366 if calendar.isleap(int(parts.group(2))) else 365
    if not 1 <= int(parts.group(3)) <= last:
        raise ValueError(f"OS ID {value!r}: day of year {parts.group(3)} is not 001-{last}")
    if os_id_check_character(os_id[:14]) != os_id[14]:
        raise ValueError(f"OS ID {value!r}: check character {os_id[14]} is wrong")
    return os_id


def check_uml(value: str) -> str:
    """A Universal Mill List id: PO and 10 digits (PO1000008590)."""
    uml = _compact(value, "UML id")
    if _UML.fullmatch(uml) is None:
        raise ValueError(f"UML id {value!r}: a UML mill id is PO and 10 digits")
    return uml


CHECKS: dict[str, Callable[[str], str]] = {
    "lei": check_lei,
    "duns": check_duns,
    "gln": check_gln,
    "os_id": check_os_id,
    "uml": check_uml,
}


def check(kind: str, value: str) -> str:
    """The identifier of `kind` normalised, or a ValueError naming the problem."""
    try:
        checker = CHECKS[kind]
    except KeyError:
        raise ValueError(f"identifier kind {kind!r} is not one of {', '.join(KINDS)}") from None
    return checker(value)
