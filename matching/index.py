"""The stored organisations made ready for matching: each one's folded facts, the
identifier index, folded-name counts, and the word index that picks, per
country, the few stored organisations worth scoring against a new one.

Blocking (why 100,000 x 100,000 runs in seconds): only organisations of the
same country are compared, and of those only the ones sharing one of the new
name's two rarest words (a misspelt word is first corrected to a stored word
one deletion away, as SymSpell does). When even the rarest word is common
(more than `common` holders), the two rarest words must both be shared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from matching.model import Organisation
from matching.names import fold, fold_abbreviation, numbers_of_folded

COMMON_WORD = 400  # holders in one country above which a word alone does not select


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
        self._words: dict[str, dict[str, list[int]]] = {}
        self._deletions: dict[str, dict[str, set[str]]] = {}
        self.common = common
        for org in stored:
            self._add(org)

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
        words = self._words.setdefault(facts.country, {})
        deletions = self._deletions.setdefault(facts.country, {})
        for word in facts.words:
            holders = words.get(word)
            if holders is None:
                words[word] = holders = []
                if len(word) >= 4:
                    for variant in _deletions(word):
                        deletions.setdefault(variant, set()).add(word)
            holders.append(i)

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

    def block(self, facts: Facts) -> Sequence[int]:
        """The stored organisations (positions) worth scoring against `facts`."""
        words = self._words.get(facts.country)
        if not words:
            return ()
        known: list[tuple[int, str]] = []
        for word in facts.words:
            holders = words.get(word)
            if holders is not None:
                known.append((len(holders), word))
            elif len(word) >= 4:
                known.extend((len(words[w]), w) for w in self._corrections(facts.country, word))
        if not known:
            return ()
        known.sort()
        (rarest_count, rarest), rest = known[0], known[1:]
        if rarest_count <= self.common:
            if rest and rest[0][0] <= self.common:
                return list(set(words[rarest]).union(words[rest[0][1]]))
            return words[rarest]
        if rest:  # every word is common: both of the two rarest must be shared
            return list(set(words[rarest]).intersection(words[rest[0][1]]))
        return words[rarest]
