"""Confirmed and rejected pairs: a person's choice decides the same pair next time.

A pair is (the new organisation's key, a stored organisation's id). The key is
what makes "the same organisation written the same way" again: its country, its
name folded and word-sorted, and its abbreviation folded. The store's own
implementation comes with the store adapters; MemoryDecisions is the reference."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from matching.model import Organisation
from matching.names import fold_abbreviation, name_key


@dataclass(frozen=True)
class DecisionKey:
    country: str
    name: str  # names.name_key
    abbreviation: str | None  # names.fold_abbreviation

    @classmethod
    def of(cls, organisation: Organisation) -> DecisionKey:
        return cls(
            organisation.country.strip().upper(),
            name_key(organisation.name),
            fold_abbreviation(organisation.abbreviation),
        )


class Decisions(Protocol):
    def verdicts(self, key: DecisionKey) -> Mapping[str, bool]:
        """Stored id -> True (confirmed the same) or False (rejected) for this key."""
        ...

    def record(self, key: DecisionKey, stored_id: str, same: bool) -> None:
        """Keep a person's choice; a later choice on the same pair replaces it."""
        ...


class MemoryDecisions:
    """Decisions kept in a dict (tests, one-off file runs)."""

    def __init__(self) -> None:
        self._by_key: dict[DecisionKey, dict[str, bool]] = {}

    def verdicts(self, key: DecisionKey) -> Mapping[str, bool]:
        return self._by_key.get(key, {})

    def record(self, key: DecisionKey, stored_id: str, same: bool) -> None:
        if same:  # one organisation is the same as at most one stored one
            for other, was_same in list(self._by_key.get(key, {}).items()):
                if was_same and other != stored_id:
                    del self._by_key[key][other]
        self._by_key.setdefault(key, {})[stored_id] = same
