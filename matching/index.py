"""The stored organisations made ready for matching: each one's folded facts, the
identifier index, who holds each folded name, numpy columns for the conflicts,
and the word index that picks, per country, the few stored organisations worth
scoring against a new one. Kept up to date with `add` and `remove`.

Blocking (why 100,000 x 100,000 runs in seconds, not hours): only organisations of the
same country are compared, and of those only the ones that share with the new
name one of its three rarest words that is rare (at most `common` holders in
the country), or two of its three rarest words. Before that, a word no stored
name of the country has is resolved to the stored word one typo away (as
SymSpell does: deletions of the stored words are indexed), or, the last word,
to the stored word it truncates.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from itertools import combinations
from typing import Any, NamedTuple

import numpy as np

from matching.bulk import collector_paused
from matching.facts import Facts
from matching.model import Organisation
from matching.names import cut_legal

COMMON_WORD = 100  # holders in one country above which a word alone does not select
_UNKNOWN = 0xF0000  # symbols for words no stored name has (Unicode private use plane)
_FIRST_SYMBOL = 0x10000


class _Column:
    """Values by position, appended to a list (cheap) and copied to a numpy array when
    read (`view`): only the part appended since the last read is copied, into an array
    whose capacity doubles."""

    def __init__(self, dtype: Any, blank: Any):
        self.values: list[Any] = []
        self.data = np.full(1024, blank, dtype=dtype)
        self.synced = 0  # values[:synced] are in data
        self.blank = blank

    def set(self, i: int, value: Any) -> None:
        self.values[i] = value
        if i < self.synced:
            self.data[i] = value

    def view(self) -> np.ndarray:
        n = len(self.values)
        if self.synced < n:
            if n > len(self.data):
                grown = np.full(max(2 * len(self.data), n), self.blank, dtype=self.data.dtype)
                grown[: self.synced] = self.data[: self.synced]
                self.data = grown
            self.data[self.synced : n] = np.array(self.values[self.synced :], dtype=self.data.dtype)
            self.synced = n
        return self.data[:n]


class Columns(NamedTuple):
    """Per stored position (removed ones blank): what the vectorised conflicts compare."""

    numbers: np.ndarray  # code of the set of numbers in the name
    abbreviation: np.ndarray  # code of the folded abbreviation, -1 none
    lat: np.ndarray  # NaN: no coordinates
    lon: np.ndarray
    identified: np.ndarray  # holds any identifier
    name_count: np.ndarray  # stored organisations of its country with its folded name
    keys: np.ndarray  # folded, word-sorted names (objects, for rapidfuzz)
    key_length: np.ndarray
    symbols: np.ndarray  # its words as symbols (StoredIndex.symbols)
    word_count: np.ndarray


class Codes(NamedTuple):
    """The same facts for new organisations, coded with the index's codes (a value no
    stored organisation has gets a negative code of its own)."""

    numbers: np.ndarray
    abbreviation: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    identified: np.ndarray


STORED_PAD = 1  # below every symbol; new names pad with 0: pads never meet


def _eights(n: int) -> int:
    return max(8, -(-n // 8) * 8)


def padded_codes(symbols: list[str], width: int, pad: int) -> np.ndarray:
    """Strings of symbols as rows of code points, padded to `width`."""
    fill = chr(pad)
    joined = "".join(s.ljust(width, fill) for s in symbols).encode("utf-32-le")
    return np.frombuffer(joined, dtype=np.uint32).reshape(len(symbols), width)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class StoredIndex:
    """Stored organisations ready to be matched against. Build it once (per country,
    or for all), then keep it current with `add` and `remove` as organisations are
    registered: both cost about what indexing that one organisation costs."""

    def __init__(self, stored: Iterable[Organisation] = (), *, common: int = COMMON_WORD):
        self.facts: list[Facts | None] = []  # by position; None once removed
        self.position: dict[str, int] = {}
        self.by_identifier: dict[tuple[str, str], list[int]] = {}
        self.common = common
        self._holders: dict[tuple[str, str], list[int]] = {}  # (country, key) -> positions
        # (country, folded abbreviation) -> positions: a new name may be one of them
        self._abbreviated: dict[tuple[str, str], list[int]] = {}
        self._words: dict[str, dict[str, list[int]]] = {}  # country -> word -> positions
        self._common_sets: dict[tuple[str, str], frozenset[int]] = {}  # cache, common words
        # Cache: (country, word, word) -> who holds both, for two common words (blocking
        # asks for the same few hundred pairs of a country's formulaic words again and again).
        self._pairs: dict[tuple[str, str, str], set[int]] = {}
        # country -> a word with a letter deleted -> the stored words it comes from. Tuples,
        # not sets: a tuple of strings is left alone by the garbage collector, and the
        # words registrations add made 100,000 sets a served process's full collections
        # walked (55-90 ms of CPU each, every 5-8 s, at 200,000 organisations).
        self._deletions: dict[str, dict[str, tuple[str, ...]]] = {}
        self._sorted: dict[str, list[str]] = {}  # country -> its words sorted (built lazily)
        self._symbol: dict[str, str] = {}
        self._numbers_code: dict[frozenset[int], int] = {}
        self._abbreviation_code: dict[str, int] = {}
        self._columns = {
            "numbers": _Column(np.int64, -1),
            "abbreviation": _Column(np.int64, -1),
            "lat": _Column(np.float64, np.nan),
            "lon": _Column(np.float64, np.nan),
            "identified": _Column(np.bool_, False),
            "name_count": _Column(np.int64, 0),
            "keys": _Column(object, ""),
            "key_length": _Column(np.int64, 0),
            "symbols": _Column(object, ""),
            "word_count": _Column(np.int64, 0),
        }
        self._columns_at = -1  # len(facts) when `_kept` was made (columns())
        self._kept: Columns
        self._word_codes = np.zeros((0, 8), dtype=np.uint32)  # rows from the symbols
        self._code_rows = 0  # rows of _word_codes filled
        with collector_paused():
            for org in stored:
                self.add(org)

    # --- keeping it current -------------------------------------------------------
    def add(self, org: Organisation) -> None:
        """Index one stored organisation (it needs an id no indexed one has)."""
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
        holders = self._holders.setdefault((facts.country, facts.key), [])
        holders.append(i)
        if facts.abbreviation:
            self._abbreviated.setdefault((facts.country, facts.abbreviation), []).append(i)
        words = self._words.setdefault(facts.country, {})
        symbol = self._symbol
        symbols = []
        for word in facts.words:
            if word not in symbol:
                if _FIRST_SYMBOL + len(symbol) >= _UNKNOWN:  # symbols would collide
                    raise ValueError("matching: more than 917,504 distinct words in one index")
                symbol[word] = chr(_FIRST_SYMBOL + len(symbol))
            symbols.append(symbol[word])
            held = words.get(word)
            if held is None:
                words[word] = held = []
                self._new_word(facts.country, word)
            held.append(i)
        if self._common_sets:  # caches built by blocking: drop what changed
            for word in facts.words:
                self._common_sets.pop((facts.country, word), None)
        for a, b in self._word_pairs(facts):
            both = self._pairs.get((facts.country, a, b))
            if both is not None:
                both.add(i)
        c = self._columns
        c["numbers"].values.append(
            self._numbers_code.setdefault(facts.numbers, len(self._numbers_code))
        )
        c["abbreviation"].values.append(
            self._abbreviation_code.setdefault(facts.abbreviation, len(self._abbreviation_code))
            if facts.abbreviation
            else -1
        )
        located = facts.lat is not None and facts.lon is not None
        c["lat"].values.append(facts.lat if located else np.nan)
        c["lon"].values.append(facts.lon if located else np.nan)
        c["identified"].values.append(bool(facts.identifiers))
        c["keys"].values.append(facts.key)
        c["key_length"].values.append(len(facts.key))
        c["symbols"].values.append("".join(sorted(symbols)))
        c["word_count"].values.append(len(symbols))
        c["name_count"].values.append(len(holders))
        if len(holders) > 1:
            self._count_holders(holders)

    def remove(self, stored_id: str) -> None:
        """Forget one stored organisation (deleted, or merged into another)."""
        i = self.position.pop(stored_id, None)
        if i is None:
            raise KeyError(f"stored organisation id {stored_id!r} is not indexed")
        facts = self.facts[i]
        assert facts is not None
        self.facts[i] = None
        for pair in facts.identifiers:
            self.by_identifier[pair].remove(i)
            if not self.by_identifier[pair]:
                del self.by_identifier[pair]
        if facts.abbreviation:
            abbreviated = self._abbreviated[(facts.country, facts.abbreviation)]
            abbreviated.remove(i)
            if not abbreviated:
                del self._abbreviated[(facts.country, facts.abbreviation)]
        holders = self._holders[(facts.country, facts.key)]
        holders.remove(i)
        self._count_holders(holders)
        if not holders:
            del self._holders[(facts.country, facts.key)]
        for a, b in self._word_pairs(facts):
            both = self._pairs.get((facts.country, a, b))
            if both is not None:
                both.discard(i)
        words = self._words[facts.country]
        for word in facts.words:
            words[word].remove(i)
            self._common_sets.pop((facts.country, word), None)
            if not words[word]:
                del words[word]
                self._forget_word(facts.country, word)
        for name, column in self._columns.items():
            column.set(i, column.blank if name != "name_count" else 0)
        if i < self._code_rows:
            self._word_codes[i] = STORED_PAD

    def _word_pairs(self, facts: Facts) -> Iterable[tuple[str, str]]:
        return combinations(sorted(facts.words), 2) if self._pairs else ()

    def _count_holders(self, holders: list[int]) -> None:
        counts = self._columns["name_count"]
        for j in holders:
            counts.set(j, len(holders))

    def _new_word(self, country: str, word: str) -> None:
        if len(word) >= 4:
            deletions = self._deletions.setdefault(country, {})
            for variant in _deletions(word):
                held = deletions.get(variant)
                deletions[variant] = (word,) if held is None else (*held, word)
        vocabulary = self._sorted.get(country)
        if vocabulary is not None:
            bisect.insort(vocabulary, word)

    def _forget_word(self, country: str, word: str) -> None:
        if len(word) >= 4:
            deletions = self._deletions[country]
            for variant in _deletions(word):
                held = tuple(w for w in deletions[variant] if w != word)
                if held:
                    deletions[variant] = held
                else:
                    del deletions[variant]
        vocabulary = self._sorted.get(country)
        if vocabulary is not None:
            del vocabulary[bisect.bisect_left(vocabulary, word)]

    # --- reading ------------------------------------------------------------------
    def __len__(self) -> int:
        """Organisations indexed now."""
        return len(self.position)

    @property
    def size(self) -> int:
        """Positions handed out (removed ones included): the length of `columns()`."""
        return len(self.facts)

    def facts_at(self, i: int) -> Facts:
        facts = self.facts[i]
        if facts is None:
            raise KeyError(f"stored position {i} was removed")
        return facts

    def name_holders(self, i: int) -> list[int]:
        """Positions of the stored organisations of i's country with i's folded name."""
        facts = self.facts_at(i)
        return self._holders[(facts.country, facts.key)]

    def cut_short(self, facts: Facts) -> bool:
        """Whether the name (two words or more) may have been cut mid-word: its last
        word is a single letter or the start of a legal-form word (names.cut_legal),
        which folding drops from stored names, or no word of its country's stored
        names but the start of one."""
        if len(facts.words) < 2:
            return False
        last = facts.words[-1]
        if (len(last) == 1 and last.isalpha()) or cut_legal(last):
            return True
        words = self._words.get(facts.country, {})
        if last in words or last.isdigit():
            return False
        return any(w != last for w in self._completions(facts.country, last))

    def abbreviated_as(self, facts: Facts) -> list[int]:
        """The stored organisations of `facts`' country whose abbreviation is its whole
        name, folded as abbreviations are ("SMART Tbk" and "S.M.A.R.T." are `SMART`)."""
        joined = "".join(facts.words).upper()
        return list(self._abbreviated.get((facts.country, joined), ())) if joined else []

    def shared_name(self, i: int) -> bool:
        """Whether several stored organisations of this one's country fold to its name."""
        return len(self.name_holders(i)) > 1

    def columns(self) -> Columns:
        """The columns' arrays, kept while no organisation is added (a removal and a
        count change write into the arrays in place): read twice per match."""
        if self._columns_at != len(self.facts):
            self._columns_at = len(self.facts)
            self._kept = Columns(**{name: column.view() for name, column in self._columns.items()})
        return self._kept

    def word_codes(self) -> np.ndarray:
        """Each stored name's words as symbol code points, sorted, one row per position,
        padded with STORED_PAD (score.exact_word_scores compares them). Rows added since
        the last call are copied in (into a buffer whose capacity doubles)."""
        symbols = self._columns["symbols"].values
        done, n = self._code_rows, len(symbols)
        if done < n:
            buffer = self._word_codes
            width = _eights(max(map(len, symbols[done:])))
            if width > buffer.shape[1]:  # a name with more words: widen, copy every row
                done, width = 0, _eights(max(map(len, symbols)))
            else:
                width = buffer.shape[1]
            if n > len(buffer) or width != buffer.shape[1]:
                grown = np.full((max(n, 2 * len(buffer)), width), STORED_PAD, dtype=np.uint32)
                if done:
                    grown[:done] = buffer[:done]
                buffer = self._word_codes = grown
            buffer[done:n] = padded_codes(symbols[done:], width, STORED_PAD)
            self._code_rows = n
        return self._word_codes[:n]

    def codes(self, facts: list[Facts]) -> Codes:
        unknown: dict[object, int] = {}

        def code(known: dict[Any, int], value: object) -> int:
            found = known.get(value)
            return found if found is not None else unknown.setdefault(value, -2 - len(unknown))

        n = len(facts)
        return Codes(
            np.fromiter((code(self._numbers_code, f.numbers) for f in facts), np.int64, n),
            np.fromiter(
                (
                    code(self._abbreviation_code, f.abbreviation) if f.abbreviation else -1
                    for f in facts
                ),
                np.int64,
                n,
            ),
            np.fromiter(
                (np.nan if f.lat is None or f.lon is None else f.lat for f in facts), np.float64, n
            ),
            np.fromiter(
                (np.nan if f.lat is None or f.lon is None else f.lon for f in facts), np.float64, n
            ),
            np.fromiter((bool(f.identifiers) for f in facts), np.bool_, n),
        )

    # --- resolving a new name's words and blocking -------------------------------------
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

    def stored_symbols(self, i: int) -> str:
        """Stored position i's words as symbols, sorted (what its word_codes row holds)."""
        return self._columns["symbols"].values[i]  # type: ignore[no-any-return]

    def symbols(self, words: Iterable[str]) -> str:
        """Words as one character each, sorted (word_codes turns them into rows of code
        points for score.exact_word_scores); a word no stored name has gets a character
        no stored name uses."""
        out = []
        unknown = 0
        for word in words:
            symbol = self._symbol.get(word)
            if symbol is None:  # a word no stored name has: a symbol no stored name uses
                symbol, unknown = chr(_UNKNOWN + unknown), unknown + 1
            out.append(symbol)
        return "".join(sorted(out))

    def _common_set(self, country: str, word: str) -> frozenset[int]:
        found = self._common_sets.get((country, word))
        if found is None:
            found = self._common_sets[(country, word)] = frozenset(self._words[country][word])
        return found

    def _both(self, country: str, a: str, b: str) -> set[int]:
        """The stored organisations of `country` whose names hold both words."""
        if b < a:
            a, b = b, a
        found = self._pairs.get((country, a, b))
        if found is None:
            found = set(self._common_set(country, a) & self._common_set(country, b))
            self._pairs[(country, a, b)] = found
        return found

    def block(
        self, resolved: tuple[str, ...], country: str, others: tuple[str, ...] = ()
    ) -> list[int]:
        """The stored organisations (positions) worth scoring against a new name
        of `country` whose words are `resolved` (and, for a misspelt word, the
        `others` it could have been); one may appear twice."""
        words = self._words.get(country)
        if not words:
            return []
        known = sorted((len(words[w]), w) for w in resolved if w in words)
        if not known:
            return []
        common = self.common
        found: list[int] = []
        rarest = [w for _, w in known[:3]]
        for count, word in known[:3]:
            if count <= common:  # a rare word alone selects
                found.extend(words[word])
        for word in others:
            if len(words[word]) <= common:
                found.extend(words[word])
        frequent = [w for count, w in known[:3] if count > common]
        for a, b in ((0, 1), (0, 2), (1, 2)):  # two of the three rarest words together
            if b < len(frequent):
                found.extend(self._both(country, frequent[a], frequent[b]))
        if not found and not frequent[1:]:  # one word only, and a common one: every holder
            found.extend(words[rarest[0]])
        return found
