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

from collections.abc import Mapping, Sequence
from itertools import chain

import numpy as np
from rapidfuzz import fuzz, process

from matching.bulk import collector_paused
from matching.conflicts import (
    NUMBERS,
    SHARED,
    as_conflicts,
    conflict_bits,
    conflicts,
    differences,
    distance_km,
    pair_bits,
    refine,
)
from matching.decisions import DecisionKey, Decisions
from matching.facts import Facts
from matching.index import StoredIndex, padded_codes
from matching.model import Candidate, Conflict, Match, Organisation, Thresholds
from matching.names import FIELD_WIDTH_AT_LEAST, LEGAL_WORDS, cut_legal
from matching.score import close_words, exact_word_scores, name_score, word_score

__all__ = [
    "BY_IDENTIFIER",
    "OFFERED",
    "StoredIndex",
    "compared",
    "decide",
    "distance_km",
    "identified",
    "match",
    "match_many",
]

OFFERED = 10  # candidates offered to a person at most
ONE_BY_ONE = 256  # stored organisations in one new one's block scored pair by pair at most
_ONLY_SHARED = (Conflict.SHARED_NAME,)
_UNKEYED = frozenset((Conflict.IDENTIFIER, Conflict.LOCATION))  # facts a DecisionKey leaves out
# The reasons of rule 1's answers: a stored organisation holds one of the new one's
# identifiers (which no organisation created anyway could then hold too).
SHARED_IDENTIFIER = "shared identifier"
ANOTHER_IDENTIFIER_DIFFERS = (
    "it shares an identifier with a stored organisation, and another identifier differs"
)
IDENTIFIERS_SPLIT = "its identifiers name several stored organisations"
NAME_IS_ABBREVIATION = "its name is the abbreviation of a stored organisation"
BY_IDENTIFIER = frozenset((SHARED_IDENTIFIER, ANOTHER_IDENTIFIER_DIFFERS, IDENTIFIERS_SPLIT))


def _by_identifier(new: Facts, index: StoredIndex) -> set[int]:
    return {i for pair in new.identifiers for i in index.by_identifier.get(pair, ())}


def decide(
    new: Facts,
    ranked: Sequence[tuple[int, float, int]],
    index: StoredIndex,
    thresholds: Thresholds,
    verdicts: Mapping[str, bool],
) -> Match:
    """The decision for one organisation, given the stored organisations its block
    selected that score at least the candidate threshold: (position, name score,
    conflict bits from conflicts.conflict_bits), best score first."""

    def offer(i: int, score: float, bits: int) -> Candidate:
        if bits & SHARED:
            bits = refine(bits, new, i, index, thresholds)
        return Candidate(index.facts_at(i).id or "", score, as_conflicts(bits))

    def offer_any(i: int) -> Candidate:
        """A stored organisation the name scores may not have selected (an identifier's)."""
        for j, score, bits in ranked:
            if j == i:
                return offer(i, score, bits)
        s = index.facts_at(i)
        score = round(name_score(new.key, new.words, s.key, s.words), 4)
        return Candidate(s.id or "", score, conflicts(new, i, index, thresholds))

    hits = _by_identifier(new, index)
    if hits:
        return identified([offer_any(i) for i in hits])

    for stored_id, same in verdicts.items():
        if same and stored_id in index.position:
            confirmed = offer_any(index.position[stored_id])
            # The key is the name, abbreviation and country the person confirmed; the
            # identifiers and location are not in it, and a row that disagrees with the
            # stored one on those may be another site of that name: ask again.
            if _UNKEYED.isdisjoint(confirmed.conflicts):
                return Match("existing", stored_id, (confirmed,), "confirmed before")
    rejected = {
        index.position[s] for s, same in verdicts.items() if not same and s in index.position
    }
    if rejected:
        ranked = [entry for entry in ranked if entry[0] not in rejected]
    if new.numbers:
        # Numbered siblings are different organisations (DOMAIN.md): both names carry
        # numbers (or a site's letter) and they differ. Never offered, never taken.
        # The same numbers counting other words ("Afdeling 3 Blok 7" against "Afdeling
        # 7 Blok 3", or "3 Afdeling 7 Blok" written the other way round) are a
        # `numbers` conflict that a person settles: offered, never taken.
        ranked = [
            (i, score, bits)
            for i, score, bits in ranked
            if not (bits & NUMBERS and _siblings(new.numbers, index.facts_at(i).numbers))
        ]

    # "SMART" for "PT Sinar Mas Agro Resources and Technology Tbk" (SMART), "ANCC" for
    # a cooperative: the stored organisations whose abbreviation is the new one's
    # whole name, which no name score finds.
    abbreviated = [i for i in index.abbreviated_as(new) if i not in rejected]

    # Conflicts first for what could be taken; for the rest only when a person must choose.
    automatic = thresholds.automatic
    high = [offer(i, score, bits) for i, score, bits in ranked if score >= automatic]
    eligible = [c for c in high if not c.conflicts]
    # Another whose abbreviation the name is may be the one ("Smart": "Smart Tbk", or
    # the stored SMART?).
    abbreviation_rival = bool(eligible) and any(
        index.facts_at(i).id != eligible[0].id for i in abbreviated
    )
    if eligible and not abbreviation_rival:
        best = eligible[0]
        # A name several stored organisations share, scoring as high, may be the one:
        # taking another because the name cannot decide would go round the rule.
        rival = any(c.conflicts == _ONLY_SHARED and c.score >= best.score for c in high)
        if not rival and (len(eligible) == 1 or best.score == 1.0 > eligible[1].score):
            return Match("existing", best.id, (best,), "name and country")
    offered = high + [offer(i, score, bits) for i, score, bits in ranked[len(high) : OFFERED]]
    if abbreviated and offered:  # shown beside what the name found: a person sees both
        holders = [offer_any(i) for i in abbreviated]
        held = {c.id for c in holders}
        offered = [c for c in offered if c.id not in held]
        offered = offered[: OFFERED - min(len(holders), OFFERED // 2)]
        offered += holders[: OFFERED - len(offered)]
    if len(eligible) == 1 and abbreviation_rival:
        return Match("choose", None, tuple(offered[:OFFERED]), NAME_IS_ABBREVIATION)
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
        if eligible:
            reason = "a name several stored organisations share scores as high"
        elif offered[0].score >= automatic:
            reason = "a conflict rules out an automatic match"
        else:
            reason = "name scores between the thresholds"
        if abbreviated:  # the holders were added beside: say why a low score is offered
            reason += f", and {NAME_IS_ABBREVIATION}"
        return Match("choose", None, tuple(offered[:OFFERED]), reason)
    # Creating it would make the same organisation twice without asking.
    if abbreviated:
        return Match(
            "choose", None, tuple(map(offer_any, abbreviated[:OFFERED])), NAME_IS_ABBREVIATION
        )
    return Match("new", None, (), "no stored organisation close enough")


def identified(holders: Sequence[Candidate]) -> Match:
    """Rule 1, given a candidate (name score and conflicts) for each stored organisation
    holding one of the new one's identifiers. Several: `conflict`. One: that
    organisation, unless an identifier of another kind differs (an LEI shared and two
    UML ids: two mills of one legal entity, or a wrong identifier somewhere): then a
    person chooses."""
    if len(holders) > 1:
        split = tuple(
            Candidate(c.id, c.score, c.conflicts + (Conflict.IDENTIFIERS_SPLIT,))
            for c in sorted(holders, key=lambda c: (-c.score, c.id))
        )
        return Match("conflict", None, split, IDENTIFIERS_SPLIT)
    (holder,) = holders
    if Conflict.IDENTIFIER in holder.conflicts:
        return Match("choose", None, (holder,), ANOTHER_IDENTIFIER_DIFFERS)
    return Match("existing", holder.id, (holder,), SHARED_IDENTIFIER)


def compared(new: Organisation, stored: Organisation, thresholds: Thresholds) -> Candidate:
    """A stored organisation found outside any index (an identifier's holder, of any
    country) as a candidate for `new`: the name score and the pair's conflicts
    (not `shared_name`, which only an index of its country can tell)."""
    a, b = Facts.of(new), Facts.of(stored)
    score = round(name_score(a.key, a.words, b.key, b.words), 4)
    return Candidate(stored.id or "", score, as_conflicts(differences(a, b, thresholds)))


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
    with collector_paused():
        index = stored if isinstance(stored, StoredIndex) else StoredIndex(stored)
        facts = [Facts.of(org) for org in organisations]
        blocks = _blocks(facts, index)
        one = set(blocks[0][1]) if len(facts) == 1 else None  # a position may come twice
        if one is not None and len(one) <= ONE_BY_ONE:
            ranked = _ranked_one(facts[0], blocks[0][0], one, index, thresholds)
            starts = [0, len(ranked)]
        else:
            ranked, starts = _ranked_pairs(facts, blocks, index, thresholds, workers)
        ranked, starts = _with_truncations(facts, blocks, ranked, starts, index, thresholds)
        results = []
        for n, f in enumerate(facts):
            key = DecisionKey(f.country, f.key, f.abbreviation)
            verdicts = decisions.verdicts(key) if decisions else {}
            results.append(
                decide(f, ranked[starts[n] : starts[n + 1]], index, thresholds, verdicts)
            )
    return results


Block = tuple[tuple[str, ...], list[int]]  # a new one's resolved words, its block's positions


def _blocks(facts: list[Facts], index: StoredIndex) -> list[Block]:
    """Per new organisation: its words resolved against the index's, and its block
    (the stored organisations it is compared with; a position may come twice)."""
    out = []
    for f in facts:
        words, others = index.resolve(f)
        out.append((words, index.block(words, f.country, others)))
    return out


def _ranked_pairs(
    facts: list[Facts],
    blocked: list[Block],
    index: StoredIndex,
    thresholds: Thresholds,
    workers: int,
) -> tuple[list[tuple[int, float, int]], list[int]]:
    """Every (new, stored) pair the blocks select that scores at least the candidate
    threshold, as (stored position, score, conflict bits), scored in vectorised calls;
    ordered by new organisation, best score first; new one n's pairs are
    ranked[starts[n]:starts[n + 1]]."""
    resolved = [words for words, _ in blocked]
    blocks = [block for _, block in blocked]
    sizes = np.fromiter((len(b) for b in blocks), dtype=np.int64, count=len(blocks))
    new_at = np.repeat(np.arange(len(facts), dtype=np.int64), sizes)
    stored_at = np.fromiter(chain.from_iterable(blocks), dtype=np.int64, count=int(sizes.sum()))
    # One pair once, ordered by new organisation (a block may name a stored one twice).
    width = max(1, index.size)
    pairs = np.sort(new_at * width + stored_at)  # (np.unique hashes in numpy 2.4: 50x slower)
    pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] if len(pairs) else pairs
    new_at, stored_at = np.divmod(pairs, width)
    columns = index.columns()
    # The exact word score first (cheap); the character score only where the pair can
    # still reach the candidate threshold, or the automatic one after a re-score.
    symbols = [index.symbols(r) for r in resolved]
    words = exact_word_scores(
        padded_codes(symbols, max(map(len, symbols), default=0), 0),
        np.fromiter(map(len, symbols), dtype=np.int64, count=len(symbols)),
        index.word_codes(),
        columns.word_count,
        new_at,
        stored_at,
    )
    candidate, automatic = thresholds.candidate, thresholds.automatic
    new_keys = np.array([f.key for f in facts], dtype=object)
    new_length = np.fromiter(map(len, new_keys), dtype=np.int64, count=len(facts))[new_at]
    stored_length = columns.key_length[stored_at]
    # fuzz.ratio can reach c only if 2 * shorter / (both lengths) >= c
    longest_chance = (
        2 * np.minimum(new_length, stored_length) / np.maximum(1, new_length + stored_length)
    )
    chars = np.zeros(len(new_at), dtype=np.float64)
    for wanted, cutoff in (
        (words >= candidate, candidate),
        ((words < candidate) & (longest_chance >= automatic), automatic),
    ):
        chars[wanted] = _pairwise(
            new_keys[new_at[wanted]], columns.keys[stored_at[wanted]], cutoff * 100, workers
        )
    for k in np.flatnonzero((words >= automatic) & (chars < automatic * 100)).tolist():
        n = int(new_at[k])
        chars[k] = _unmoved(facts[n], resolved[n], columns.keys[stored_at[k]], chars[k])
    keep = chars > 0
    new_at, stored_at, chars, words = new_at[keep], stored_at[keep], chars[keep], words[keep]
    scores = np.where(chars == 100.0, 1.0, np.minimum(chars / 100.0, words))
    # Words the resolution could not pair (a typo that is itself a stored word, a
    # truncation): re-score per pair where only the word score stands in the way.
    exact = np.zeros(len(facts), dtype=bool)
    # An exact folded name wins over rivals, so they need no re-scoring (if the exact one
    # has a conflict, rivals keep the lower score: a question more, never a wrong match).
    exact[new_at[chars == 100.0]] = True
    rescore = (chars >= automatic * 100) & (scores < automatic) & ~exact[new_at]
    for k in np.flatnonzero(rescore).tolist():
        stored = index.facts_at(int(stored_at[k]))
        scores[k] = _rescored(scores[k], chars[k], facts[new_at[k]].words, stored.words)
    scores = np.round(scores, 4)  # 2/4 is 0.5, not 0.49999 after float32 scores
    keep = scores >= candidate
    new_at, stored_at, scores = new_at[keep], stored_at[keep], scores[keep]
    bits = conflict_bits(facts, new_at, stored_at, index, thresholds)
    order = np.lexsort((stored_at, -scores, new_at))  # per new one: best score, then position
    ranked = list(
        zip(stored_at[order].tolist(), scores[order].tolist(), bits[order].tolist(), strict=True)
    )
    starts = np.searchsorted(new_at[order], np.arange(len(facts) + 1)).tolist()
    return ranked, starts


def _unmoved(new: Facts, resolved: tuple[str, ...], stored_key: str, chars: float) -> float:
    """A pair's character score (0-100) with the new name's words, as written, in
    the order of their stored spellings, where that is higher. Names are compared
    word-sorted, and a typo can move its word: "Kaasih Kartika" sorts as "kaasih
    kartika" but a stored "Kasih Kartika" as "kartika kasih" (0.72 for one typo).
    Asked only where the words all but match (the word score reaches the automatic
    threshold); the typo itself still costs what it costs."""
    if tuple(resolved) == new.words or len(resolved) != len(new.key.split()):
        return chars  # nothing resolved, or a word written twice: as folded
    key = " ".join(word for _, word in sorted(zip(resolved, new.words, strict=True)))
    if key == new.key:
        return chars
    return max(chars, float(np.float32(fuzz.ratio(key, stored_key))))


def _ranked_one(
    new: Facts,
    words: tuple[str, ...],
    block: set[int],
    index: StoredIndex,
    thresholds: Thresholds,
) -> list[tuple[int, float, int]]:
    """_ranked_pairs for one new organisation whose block (`block`: distinct stored
    positions, at most ONE_BY_ONE; `words`: its resolved words) is small
    (registerSupplier's case), pair by pair in Python with the same arithmetic (the
    character score goes through float32 as cpdist's does, the scores are rounded by
    numpy): without the arrays the batch builds, which cost more than scoring a few
    dozen pairs."""
    candidate, automatic = thresholds.candidate, thresholds.automatic
    symbols = set(index.symbols(words))  # distinct: one character per distinct word
    count, key, length = len(symbols), new.key, len(new.key)
    stored_facts, stored_symbols = index.facts, index.stored_symbols
    scored: list[tuple[int, float, float]] = []  # (position, score, character score)
    for i in block:
        theirs = stored_symbols(i)
        shared = len(symbols.intersection(theirs))
        words_score = shared / max(1, count + len(theirs) - shared)
        stored_key = stored_facts[i].key  # type: ignore[union-attr]
        other = len(stored_key)
        if words_score >= candidate:
            cutoff = candidate
        elif 2 * min(length, other) / max(1, length + other) >= automatic:
            cutoff = automatic
        else:
            continue
        chars = float(np.float32(fuzz.ratio(key, stored_key, score_cutoff=cutoff * 100)))
        if words_score >= automatic and chars < automatic * 100:
            chars = _unmoved(new, words, stored_key, chars)
        if chars > 0:
            scored.append((i, 1.0 if chars == 100.0 else min(chars / 100.0, words_score), chars))
    exact = any(chars == 100.0 for _, _, chars in scored)
    scores = []
    for i, score, chars in scored:
        if chars >= automatic * 100 and score < automatic and not exact:
            score = _rescored(score, chars, new.words, index.facts_at(i).words)
        scores.append(score)
    rounded = np.round(np.array(scores, dtype=np.float64), 4).tolist()
    kept = [
        (i, score) for (i, _, _), score in zip(scored, rounded, strict=True) if score >= candidate
    ]
    bits = pair_bits(new, [i for i, _ in kept], index, thresholds)
    ranked = [(i, score, b) for (i, score), b in zip(kept, bits, strict=True)]
    ranked.sort(key=lambda entry: (-entry[1], entry[0]))
    return ranked


TRUNCATED_FROM = 18  # folded characters: a shorter name cut mid-word is not taken as cut


def _with_truncations(
    facts: list[Facts],
    blocks: list[Block],
    ranked: list[tuple[int, float, int]],
    starts: list[int],
    index: StoredIndex,
    thresholds: Thresholds,
) -> tuple[list[tuple[int, float, int]], list[int]]:
    """Supplier lists cut long names at a field's width ("PT Sinar Mas Agro Resour"
    for "PT Sinar Mas Agro Resources and Technology Tbk"): the stored words after
    the cut are not missing, they were never written. A new name long enough
    (`_may_be_cut`) that may have been cut mid-word
    (StoredIndex.cut_short) is scored against each stored name of its block cut
    the same way (`truncated_score`); a pair scoring higher so is ranked with
    that score. A single letter the cut left of the stored name's next word is
    then no site's mark ("... Orgánica M" for "... Orgánica Minas"), unless the
    block holds lettered sites. Both scoring paths go through here, so they
    agree."""
    out: list[tuple[int, float, int]] = []
    out_starts = [0]
    for n, new in enumerate(facts):
        mine = ranked[starts[n] : starts[n + 1]]
        if _may_be_cut(new) and index.cut_short(new):
            mine = _cut_pairs(new, blocks[n][1], mine, index, thresholds)
        out.extend(mine)
        out_starts.append(len(out))
    return out, out_starts


def _may_be_cut(new: Facts) -> bool:
    """Long enough to have been cut at a field's width: TRUNCATED_FROM folded
    characters, or FIELD_WIDTH_AT_LEAST as written with a last word of 4 letters
    or more ("Công ty TNHH Guomeifu Shaoxi"; not "PT Bumi Jaya Kebun A", whose
    folded name is short and a letter thin evidence). A name that ends in a
    legal form written whole ("Xiamen Hong Li Co., Ltd.") was not cut before it."""
    if new.legal_tail:
        return False
    if len(new.key) >= TRUNCATED_FROM:
        return True
    return new.written >= FIELD_WIDTH_AT_LEAST and len(new.words[-1]) >= 4


CUT_AT_MOST = 0.9999  # a cut name is never the very same name: an exact one wins


def _siblings(new: frozenset[int], stored: frozenset[int]) -> bool:
    """Both names carry numbers and not the same ones (numbered siblings)."""
    return bool(stored) and stored != new


def _cut_pairs(
    new: Facts,
    block: list[int],
    mine: list[tuple[int, float, int]],
    index: StoredIndex,
    thresholds: Thresholds,
) -> list[tuple[int, float, int]]:
    scores = {i: score for i, score, _ in mine}
    unmarked = new._replace(numbers=frozenset(x for x in new.numbers if x >= 0))
    marked = unmarked.numbers != new.numbers  # a last letter: a cut of the next word, or a mark
    # A last letter may be a cut only where no stored name of the block marks its
    # sites with letters ("Estate A" against "Estate Abadi" beside "Estate B").
    letters = marked and not any(x < 0 for i in block for x in index.facts_at(i).numbers)
    changed: dict[int, float] = {}
    letter_cut: list[int] = []
    shared: dict[str, bool] = {}  # a block's names repeat words: each compared once
    for i in dict.fromkeys(block):
        found = truncated_score(new, index.facts_at(i), shared)
        if found is None:
            continue
        score, continues = found  # the letter starts the next written word
        if score <= scores.get(i, 0.0) or score < thresholds.candidate:
            continue
        if marked:
            if not (continues and letters):
                continue
            letter_cut.append(i)
        changed[i] = score
    if not changed:
        return mine
    positions = list(changed)
    plain = [i for i in positions if i not in letter_cut]
    bits = dict(zip(plain, pair_bits(new, plain, index, thresholds), strict=True))
    bits.update(zip(letter_cut, pair_bits(unmarked, letter_cut, index, thresholds), strict=True))
    kept = [(i, score, b) for i, score, b in mine if i not in changed]
    kept += [(i, changed[i], bits[i]) for i in positions]
    kept.sort(key=lambda entry: (-entry[1], entry[0]))
    return kept


def truncated_score(
    new: Facts, stored: Facts, shared: dict[str, bool] | None = None
) -> tuple[float, bool] | None:
    """The name score (at most CUT_AT_MOST) of `new` as a cut of `stored`, and
    whether its last word is seen to start the stored name's next written word:
    - True: it starts the stored word right after the last one the rest of `new`
      has ("Sinar Mas Agro Resour" of "Sinar Mas Agro Resources and Technology"):
      scored against the stored name cut there the same way;
    - True: a single letter that starts the legal-form word the stored name goes
      on with, which folding dropped ("Tani Pupu Agro S" of "... Sendirian
      Berhad", "Kavaan Spinning Private L" of "... Private Limited"): `new`
      without it (and without the legal words before it) against the whole
      stored name;
    - False: it is the start of a legal-form word of three letters or more
      ("Limi", "Pri" of Private Limited), scored so whatever the stored name's
      legal form.
    None when none applies. `shared` remembers which stored words are close to
    one of `new`'s (pass one dict per new name)."""
    last, head = new.words[-1], new.words[:-1]
    if not head:
        return None
    if shared is None:
        shared = {}
    at = []
    for k, word in enumerate(stored.words):
        close = shared.get(word)
        if close is None:
            shared[word] = close = any(close_words(word, h) for h in head)
        if close:
            at.append(k)
    if not at:
        return None
    following = at[-1] + 1
    if following < len(stored.words):
        word = stored.words[following]
        if len(word) > len(last) and word.startswith(last):
            cut = (*stored.words[:following], last)
            score = name_score(new.key, new.words, " ".join(sorted(cut)), cut)
            return min(round(score, 4), CUT_AT_MOST), True
    letter = len(last) == 1 and last.isalpha()
    if last in stored.words or not (letter or cut_legal(last)):
        return None
    legal = 0
    while len(head) > 2 and head[-1] in LEGAL_WORDS:  # "Private" of a cut "Private Limi"
        head = head[:-1]
        legal += 1
    if letter:  # only where the stored name goes on so: "... Palm S" of "Sendirian"
        if following < len(stored.words) or stored.legal_tail[legal : legal + 1] != last:
            return None
    score = name_score(" ".join(sorted(head)), head, stored.key, stored.words)
    return min(round(score, 4), CUT_AT_MOST), letter


def _rescored(
    score: float, chars: float, new_words: tuple[str, ...], stored_words: tuple[str, ...]
) -> float:
    """A pair's score re-scored with the typo- and truncation-tolerant word score
    (a pair whose character score, 0-100, reaches the automatic threshold while
    its exact word score does not)."""
    tolerant = word_score(new_words, stored_words)
    return min(chars / 100.0, max(score, round(tolerant, 4)))


def _pairwise(left: np.ndarray, right: np.ndarray, cutoff: float, workers: int) -> np.ndarray:
    """fuzz.ratio of left[k] and right[k] for every k (0-100)."""
    if len(left) == 0:
        return np.zeros(0, dtype=np.float64)
    scores = process.cpdist(
        left, right, scorer=fuzz.ratio, score_cutoff=cutoff, workers=workers, dtype=np.float32
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
