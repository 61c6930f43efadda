"""One organisation's facts as matching compares them, folded once."""

from __future__ import annotations

from typing import NamedTuple

from matching.model import Organisation
from matching.names import (
    fold_abbreviation,
    folded_name,
    labelled_numbers,
    numbers_of_folded,
)


class Facts(NamedTuple):
    """A NamedTuple, not a frozen dataclass: 200,000 are built per benchmark run and a
    frozen dataclass's __init__ costs three times as much."""

    id: str | None
    country: str
    key: str  # folded name, words sorted (names.name_key)
    words: tuple[str, ...]  # distinct folded words, in the name's order
    numbers: frozenset[int]
    abbreviation: str | None
    lat: float | None
    lon: float | None
    identifiers: tuple[tuple[str, str], ...]  # (kind, canonical value), sorted
    legal_tail: str = ""  # initials of the legal-form words folding dropped from the end
    # (and of stop words between them); names.folded_name
    written: int = 0  # characters of the name as written (a field's width cuts those)
    labels: tuple[tuple[str, int], ...] = ()  # (word, number), names.labelled_numbers

    @classmethod
    def of(cls, org: Organisation) -> Facts:
        words, legal_tail = folded_name(org.name)
        folded = " ".join(words)
        identifiers = org.identifiers
        return cls(
            org.id,
            org.country.strip().upper(),
            " ".join(sorted(words)),
            tuple(dict.fromkeys(words)),
            numbers_of_folded(folded),
            fold_abbreviation(org.abbreviation) if org.abbreviation else None,
            org.lat,
            org.lon,
            tuple(sorted((k.strip().lower(), canonical(v)) for k, v in identifiers.items() if v))
            if identifiers
            else (),
            legal_tail,
            len(org.name.strip()),
            labelled_numbers(folded),
        )

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None


def canonical(value: str) -> str:
    """An identifier as compared: upper case, no spaces or hyphens (checked values
    already are; this keeps a stray space from splitting one organisation in two)."""
    return "".join(value.split()).replace("-", "").upper()
