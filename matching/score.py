"""The name score of a pair (0-1): the lower of a character score and a word score.

- Character score: rapidfuzz's normalised Indel similarity (fuzz.ratio) of the
  folded, word-sorted names: typos and dropped letters cost little.
- Word score: the Jaccard index of the two names' word sets, where a word
  counts as shared when the other name has it, has it with one typo (two for
  words of 8 letters or more), or has it truncated (a prefix of 3 letters or
  more). A word only one name has costs a lot: "Sawit Jaya Abadi" and "Sawit
  Jaya Makmur" are different companies however alike their letters (2/4).

match_many computes the word score for every pair its blocks select at once
(`exact_word_scores`, numpy over word codes), on exact words after the new
name's words are resolved to the stored spelling (StoredIndex.resolve); where
that leaves a pair under the automatic threshold while its character score is
above it, the pair is re-scored with `word_score` (typo- and truncation-tolerant
per pair).
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

_CHUNK = 1 << 18  # pairs compared at once (a few MB of comparisons)


def character_score(a_key: str, b_key: str) -> float:
    return fuzz.ratio(a_key, b_key) / 100.0


def close_words(a: str, b: str) -> bool:
    """One word a typo or a truncation of the other (numbers only ever equal)."""
    if a.isdigit() or b.isdigit():
        return a == b
    shorter = min(len(a), len(b))
    if shorter >= 3 and (a.startswith(b) or b.startswith(a)):
        return True
    if shorter < 4:
        return False
    allowed = 2 if shorter >= 8 else 1
    return OSA.distance(a, b, score_cutoff=allowed) <= allowed


def word_score(a_words: tuple[str, ...], b_words: tuple[str, ...]) -> float:
    """Jaccard index of two names' words, a typo or truncation counting as shared."""
    a, b = set(a_words), set(b_words)
    if not a or not b:
        return 1.0 if a == b else 0.0
    shared = len(a & b)
    right = list(b - a)
    for word in a - b:
        for other in right:
            if close_words(word, other):
                shared += 1
                right.remove(other)
                break
    return shared / (len(a) + len(b) - shared)


def name_score(a_key: str, a_words: tuple[str, ...], b_key: str, b_words: tuple[str, ...]) -> float:
    if a_key == b_key:
        return 1.0
    return min(character_score(a_key, b_key), word_score(a_words, b_words))


def exact_word_scores(
    new_codes: np.ndarray,
    new_counts: np.ndarray,
    stored_codes: np.ndarray,
    stored_counts: np.ndarray,
    new_at: np.ndarray,
    stored_at: np.ndarray,
) -> np.ndarray:
    """The Jaccard index of exact words for every pair (new_at[k], stored_at[k]), from
    rows of distinct word codes (StoredIndex.word_codes; padding never equal; the
    stored rows 8 wide or a multiple: 8 comparisons are read as one 64-bit word)."""
    out = np.empty(len(new_at), dtype=np.float64)
    for lo in range(0, len(new_at), _CHUNK):
        a = new_codes[new_at[lo : lo + _CHUNK]]
        b = stored_codes[stored_at[lo : lo + _CHUNK]]
        shared = np.zeros(len(a), dtype=np.int64)
        for j in range(a.shape[1]):
            hits = (b == a[:, j : j + 1]).view(np.uint64)
            shared += hits[:, 0] != 0 if hits.shape[1] == 1 else hits.any(axis=1)
        union = new_counts[new_at[lo : lo + _CHUNK]] + stored_counts[stored_at[lo : lo + _CHUNK]]
        out[lo : lo + len(a)] = shared / np.maximum(1, union - shared)
    return out
