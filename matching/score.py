"""The name score of a pair (0-1): the lower of a character score and a word score.

- Character score: rapidfuzz's normalised Indel similarity (fuzz.ratio) of the
  folded, word-sorted names: typos and dropped letters cost little.
- Word score: the Jaccard index of the two names' word sets, after the new
  name's words are resolved to the stored spelling (StoredIndex.resolve: a typo
  or a truncated last word becomes the stored word). A word only one name has
  costs a lot: "Sawit Jaya Abadi" and "Sawit Jaya Makmur" are different
  companies however alike their letters (word score 2/4).

match_many computes both for every pair its blocks select in two vectorised
rapidfuzz calls (the word score as the Dice coefficient of one-symbol-per-word
strings, turned into Jaccard); these functions are the same for one pair.
"""

from __future__ import annotations

from rapidfuzz import fuzz


def character_score(a_key: str, b_key: str) -> float:
    return fuzz.ratio(a_key, b_key) / 100.0


def word_score(a_words: tuple[str, ...], b_words: tuple[str, ...]) -> float:
    """Jaccard index of two names' (resolved) words."""
    a, b = set(a_words), set(b_words)
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def jaccard_from_dice(dice: float) -> float:
    return dice / (2.0 - dice)


def name_score(a_key: str, a_words: tuple[str, ...], b_key: str, b_words: tuple[str, ...]) -> float:
    if a_key == b_key:
        return 1.0
    return min(character_score(a_key, b_key), word_score(a_words, b_words))
