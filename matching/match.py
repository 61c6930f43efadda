"""Deciding whether a new organisation is a stored one (DOMAIN.md, "Matching
organisations"; docs/matching.md for every rule and choice).

In order: a shared identifier decides (identifiers naming two stored
organisations are a conflict); then a person's earlier choice on the same pair;
then name and country: stored organisations of the same country only, scored on
the folded, word-sorted names with rapidfuzz. At or above the automatic
threshold with no conflict and no rival, it is that organisation; from the
candidate threshold up, a person chooses; below, it is new.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from matching.decisions import DecisionKey, Decisions
from matching.index import Facts, StoredIndex
from matching.model import Candidate, Conflict, Match, Organisation, Thresholds
from matching.score import name_score, word_score

OFFERED = 10  # candidates offered to a person at most
_EARTH_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def conflicts(
    new: Facts, stored: Facts, shared_name: bool, thresholds: Thresholds
) -> tuple[Conflict, ...]:
    """What rules out taking `stored` for `new` automatically."""
    found: list[Conflict] = []
    if new.identifiers and stored.identifiers:
        theirs = dict(stored.identifiers)
        if any(theirs.get(kind, value) != value for kind, value in new.identifiers):
            found.append(Conflict.IDENTIFIER)
    if new.abbreviation and stored.abbreviation and new.abbreviation != stored.abbreviation:
        found.append(Conflict.ABBREVIATION)
    if new.numbers != stored.numbers:
        found.append(Conflict.NUMBERS)
    if None not in (new.lat, new.lon, stored.lat, stored.lon):
        km = distance_km(new.lat, new.lon, stored.lat, stored.lon)  # type: ignore[arg-type]
        if km > thresholds.max_distance_km:
            found.append(Conflict.LOCATION)
    if shared_name:
        found.append(Conflict.SHARED_NAME)
    return tuple(found)


def _by_identifier(new: Facts, index: StoredIndex) -> set[int]:
    return {i for pair in new.identifiers for i in index.by_identifier.get(pair, ())}


def decide(
    new: Facts,
    scored: Sequence[tuple[int, float]],
    index: StoredIndex,
    thresholds: Thresholds,
    verdicts: Mapping[str, bool],
) -> Match:
    """The decision for one organisation, given its name scores (position, 0-1)
    against the stored organisations its block selected."""
    score_of = dict(scored)

    def offer(i: int, extra: tuple[Conflict, ...] = ()) -> Candidate:
        s = index.facts[i]
        score = score_of.get(i)
        if score is None:
            score = name_score(new.key, new.words, s.key, s.words)
        score = round(score, 4)
        return Candidate(
            s.id or "", score, conflicts(new, s, index.shared_name(i), thresholds) + extra
        )

    hits = _by_identifier(new, index)
    if len(hits) > 1:
        split = tuple(
            offer(i, (Conflict.IDENTIFIERS_SPLIT,))
            for i in sorted(hits, key=lambda i: -score_of.get(i, 0))
        )
        return Match("conflict", None, split, "its identifiers name several stored organisations")
    if hits:
        (i,) = hits
        return Match("existing", index.facts[i].id, (offer(i),), "shared identifier")

    for stored_id, same in verdicts.items():
        if same and stored_id in index.position:
            i = index.position[stored_id]
            return Match("existing", stored_id, (offer(i),), "confirmed before")
    rejected = {
        index.position[s] for s, same in verdicts.items() if not same and s in index.position
    }

    ranked = sorted(
        (-score, i) for i, score in scored if score >= thresholds.candidate and i not in rejected
    )
    # Conflicts first for what could be taken; for the rest only when a person must choose.
    high = [offer(i) for minus, i in ranked if -minus >= thresholds.automatic]
    eligible = [c for c in high if not c.conflicts]
    if len(eligible) == 1 or (eligible and eligible[0].score == 1.0 > eligible[1].score):
        return Match("existing", eligible[0].id, (eligible[0],), "name and country")
    offered = high + [offer(i) for _, i in ranked[len(high) : OFFERED]]
    if len(eligible) > 1:
        rivals = {c.id for c in eligible}
        offered = [
            Candidate(c.id, c.score, c.conflicts + (Conflict.AMBIGUOUS,)) if c.id in rivals else c
            for c in offered
        ]
        return Match(
            "choose", None, tuple(offered[:OFFERED]), "several stored organisations score as high"
        )
    if offered:
        reason = (
            "a conflict rules out an automatic match"
            if offered[0].score >= thresholds.automatic
            else "name scores between the thresholds"
        )
        return Match("choose", None, tuple(offered[:OFFERED]), reason)
    return Match("new", None, (), "no stored organisation close enough")


def match_many(
    organisations: Sequence[Organisation],
    stored: StoredIndex | Sequence[Organisation],
    *,
    thresholds: Thresholds | None = None,
    decisions: Decisions | None = None,
    workers: int = 1,
) -> list[Match]:
    """One Match per organisation, in order. Build the StoredIndex once and pass it
    when matching several files against the same stored organisations."""
    thresholds = thresholds or Thresholds()
    index = stored if isinstance(stored, StoredIndex) else StoredIndex(stored)
    facts = [Facts.of(org) for org in organisations]
    resolutions = [index.resolve(f) for f in facts]
    resolved = [words for words, _ in resolutions]
    others = [alternatives for _, alternatives in resolutions]
    # Every (new, stored) pair the blocks select, scored in vectorised calls.
    blocks = [index.block(r, f.country, o) for r, o, f in zip(resolved, others, facts, strict=True)]
    sizes = np.fromiter((len(b) for b in blocks), dtype=np.int64, count=len(blocks))
    new_at = np.repeat(np.arange(len(facts), dtype=np.int64), sizes)
    stored_at = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int64)
    # One pair once, ordered by new organisation (a block may name a stored one twice).
    pairs = np.sort(new_at * max(1, len(index)) + stored_at)
    pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] if len(pairs) else pairs
    new_at, stored_at = np.divmod(pairs, max(1, len(index)))
    cutoff = thresholds.candidate * 100
    chars = _pairwise(
        [f.key for f in facts], [f.key for f in index.facts], new_at, stored_at, cutoff, workers
    )
    keep = chars >= cutoff
    new_at, stored_at, chars = new_at[keep], stored_at[keep], chars[keep]
    symbols = [index.symbols(r) for r in resolved]
    dice = _pairwise(symbols, index.word_symbols, new_at, stored_at, 0, workers) / 100.0
    scores = np.where(chars == 100.0, 1.0, np.minimum(chars / 100.0, dice / (2.0 - dice)))
    # Words the resolution could not pair (a typo that is itself a stored word, a
    # truncation): re-score per pair where only the word score stands in the way.
    automatic = thresholds.automatic
    exact = np.zeros(len(facts), dtype=bool)
    # An exact folded name wins over rivals, so they need no re-scoring (if the exact one
    # has a conflict, rivals keep the lower score: a question more, never a wrong match).
    exact[new_at[chars == 100.0]] = True
    rescore = (chars >= automatic * 100) & (scores < automatic) & ~exact[new_at]
    for k in np.flatnonzero(rescore).tolist():
        words = word_score(facts[new_at[k]].words, index.facts[stored_at[k]].words)
        scores[k] = min(chars[k] / 100.0, max(scores[k], round(words, 4)))
    scores = np.round(scores, 4)  # 2/4 is 0.5, not 0.49999 after float32 scores
    keep = scores >= thresholds.candidate
    new_at, stored_at, scores = new_at[keep], stored_at[keep], scores[keep]
    starts = np.searchsorted(new_at, np.arange(len(facts) + 1))
    results = []
    for n, f in enumerate(facts):
        lo, hi = starts[n], starts[n + 1]
        scored = list(zip(stored_at[lo:hi].tolist(), scores[lo:hi].tolist(), strict=True))
        key = DecisionKey(f.country, f.key, f.abbreviation)
        verdicts = decisions.verdicts(key) if decisions else {}
        results.append(decide(f, scored, index, thresholds, verdicts))
    return results


def _pairwise(
    left: list[str],
    right: list[str],
    left_at: np.ndarray,
    right_at: np.ndarray,
    cutoff: float,
    workers: int,
) -> np.ndarray:
    """fuzz.ratio of left[left_at[k]] and right[right_at[k]] for every k (0-100)."""
    if len(left_at) == 0:
        return np.zeros(0, dtype=np.float64)
    scores = process.cpdist(
        np.asarray(left, dtype=object)[left_at],
        np.asarray(right, dtype=object)[right_at],
        scorer=fuzz.ratio,
        score_cutoff=cutoff,
        workers=workers,
        dtype=np.float32,
    )
    return scores.astype(np.float64)


def match(
    organisation: Organisation,
    stored: StoredIndex | Sequence[Organisation],
    *,
    thresholds: Thresholds | None = None,
    decisions: Decisions | None = None,
) -> Match:
    """The Match for one organisation (registerSupplier's case)."""
    return match_many([organisation], stored, thresholds=thresholds, decisions=decisions)[0]
