"""The stored organisations made ready for matching: each one's folded facts, the
identifier index, folded-name counts, and the word index that picks, per
country, the few stored organisations worth scoring against a new one.

Blocking (why 100,000 x 100,000 runs in half a minute, not hours): only organisations of the
same country are compared, and of those only the ones that share with the new
name one of its three rarest words that is rare (at most `common` holders in
the country), or two of its three rarest words. Before that, a word no stored
name of the country has is resolved to the stored word one typo away (as
SymSpell does: deletions of the stored words are indexed), or, the last word,
to the stored word it truncates.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from matching.model import Organisation
from matching.names import fold, fold_abbreviation, numbers_of_folded

COMMON_WORD = 100  # holders in one country above which a word alone does not select
_NOTHING = np.zeros(0, dtype=np.int64)
_UNKNOWN = 0xF0000  # symbols for words no stored name has (Unicode private use plane)


@dataclass(frozen=True, slots=True)
class Facts:
    """One organisation's folded facts, computed once."""

    id: str | None
    country: str
    key: str  # folded name, words sorted (names.name_key)
    words: tuple[str, ...]  # distinct folded words
    numbers: frozenset[int]
    abbreviation: str | None
    lat: float | None
    lon: float | None
    identifiers: tuple[tuple[str, str], ...]  # (kind, canonical value), sorted

    @classmethod
    def of(cls, org: Organisation) -> Facts:
        folded = fold(org.name)
        words = folded.split()
        return cls(
            id=org.id,
            country=org.country.strip().upper(),
            key=" ".join(sorted(words)),
            words=tuple(dict.fromkeys(words)),
            numbers=numbers_of_folded(folded),
            abbreviation=fold_abbreviation(org.abbreviation),
            lat=org.lat,
            lon=org.lon,
            identifiers=tuple(
                sorted((k.strip().lower(), canonical(v)) for k, v in org.identifiers.items() if v)
            ),
        )


def canonical(value: str) -> str:
    """An identifier as compared: upper case, no spaces or hyphens (checked values
    already are; this keeps a stray space from splitting one organisation in two)."""
    return "".join(value.split()).replace("-", "").upper()


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class StoredIndex:
    """Stored organisations ready to be matched against. Build it once per file."""

    def __init__(self, stored: Iterable[Organisation], *, common: int = COMMON_WORD):
        self.facts: list[Facts] = []
        self.position: dict[str, int] = {}
        self.by_identifier: dict[tuple[str, str], list[int]] = {}
        self.name_counts: Counter[tuple[str, str]] = Counter()
        self._lists: dict[str, dict[str, list[int]]] = {}  # while adding
        self._words: dict[str, dict[str, np.ndarray]] = {}  # word -> holders, ascending
        self._deletions: dict[str, dict[str, set[str]]] = {}
        self._sorted: dict[str, list[str]] = {}
        self._symbol: dict[str, str] = {}
        self.word_symbols: list[str] = []
        self.common = common
        for org in stored:
            self._add(org)
        self._words = {
            country: {w: np.array(holders, dtype=np.int64) for w, holders in words.items()}
            for country, words in self._lists.items()
        }
        del self._lists

    def _add(self, org: Organisation) -> None:
        if not org.id:
            raise ValueError(f"stored organisation {org.name!r} has no id")
        if org.id in self.position:
            raise ValueError(f"stored organisation id {org.id!r} appears twice")
        facts = Facts.of(org)
        i = len(self.facts)
        self.facts.append(facts)
        self.position[org.id] = i
        for pair in facts.identifiers:
            self.by_identifier.setdefault(pair, []).append(i)
        self.name_counts[(facts.country, facts.key)] += 1
        words = self._lists.setdefault(facts.country, {})
        deletions = self._deletions.setdefault(facts.country, {})
        for word in facts.words:
            if word not in self._symbol:
                if 0x10000 + len(self._symbol) >= _UNKNOWN:  # symbols would collide
                    raise ValueError("matching: more than 917,504 distinct words in one index")
                self._symbol[word] = chr(0x10000 + len(self._symbol))
            holders = words.get(word)
            if holders is None:
                words[word] = holders = []
                if len(word) >= 4:
                    for variant in _deletions(word):
                        deletions.setdefault(variant, set()).add(word)
            holders.append(i)
        self.word_symbols.append(self.symbols(facts.words))

    def __len__(self) -> int:
        return len(self.facts)

    def shared_name(self, i: int) -> bool:
        """Whether several stored organisations of this one's country fold to its name."""
        f = self.facts[i]
        return self.name_counts[(f.country, f.key)] > 1

    def _corrections(self, country: str, word: str) -> set[str]:
        """Stored words one deletion away from a word no stored name has."""
        deletions = self._deletions.get(country, {})
        words = self._words.get(country, {})
        found = set(deletions.get(word, ()))  # a letter missing from `word`
        for variant in _deletions(word):
            if variant in words:  # a letter too many in `word`
                found.add(variant)
            found.update(deletions.get(variant, ()))  # a letter changed or swapped
        return found

    def _completions(self, country: str, word: str) -> list[str]:
        """Stored words that `word` is the truncation of (at most 50 looked at)."""
        vocabulary = self._sorted.get(country)
        if vocabulary is None:
            vocabulary = self._sorted[country] = sorted(self._words.get(country, {}))
        at = bisect.bisect_left(vocabulary, word)
        return [w for w in vocabulary[at : at + 50] if w.startswith(word)]

    def resolve(self, facts: Facts) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The new name's words as the stored names of its country spell them: a word
        none has becomes the stored word one typo away, or (the last word, 3 letters
        or more) the stored word it is a truncation of; the most common if several.
        Second: the other stored words it could have been (blocking looks there too)."""
        words = self._words.get(facts.country, {})
        resolved = []
        others: list[str] = []
        for n, word in enumerate(facts.words):
            if word in words or word.isdigit():
                resolved.append(word)
                continue
            options: Iterable[str] = (
                self._corrections(facts.country, word) if len(word) >= 4 else ()
            )
            if not options and n == len(facts.words) - 1 and len(word) >= 3:
                options = self._completions(facts.country, word)
            ranked = sorted(options, key=lambda w: (-len(words[w]), w))
            resolved.append(ranked[0] if ranked else word)
            others.extend(ranked[1:])
        return tuple(dict.fromkeys(resolved)), tuple(others)

    def symbols(self, words: Iterable[str]) -> str:
        """Words as one character each, sorted: the Indel similarity of two such strings
        is the Dice coefficient of the two word sets (vectorised word scores)."""
        out = []
        unknown = 0
        for word in words:
            symbol = self._symbol.get(word)
            if symbol is None:  # a word no stored name has: a symbol no stored name uses
                symbol, unknown = chr(_UNKNOWN + unknown), unknown + 1
            out.append(symbol)
        return "".join(sorted(out))

    def block(
        self, resolved: tuple[str, ...], country: str, others: tuple[str, ...] = ()
    ) -> np.ndarray:
        """The stored organisations (positions) worth scoring against a new name
        of `country` whose words are `resolved` (and, for a misspelt word, the
        `others` it could have been); one may appear twice."""
        words = self._words.get(country)
        known = sorted((len(words[w]), w) for w in resolved if w in words) if words else []
        if not words or not known:
            return _NOTHING
        rarest = [words[w] for _, w in known[:3]]
        parts = [h for h in rarest if len(h) <= self.common]  # a rare word alone selects
        parts.extend(words[w] for w in others if len(words[w]) <= self.common)
        for i, j in ((0, 1), (0, 2), (1, 2)):  # two of the three rarest words together
            if j < len(rarest) and len(rarest[i]) > self.common < len(rarest[j]):
                parts.append(np.intersect1d(rarest[i], rarest[j], assume_unique=True))
        if not parts:  # one word only, and a common one: every holder
            return rarest[0]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)
