"""StoredIndex kept current with add and remove answers as one built at once."""

from __future__ import annotations

import gc
import random

import numpy as np
import pytest

from matching import Organisation, StoredIndex, match, match_many
from matching.facts import Facts
from matching.index import padded_codes
from matching.score import exact_word_scores

Org = Organisation
WORDS = "Sawit Jaya Abadi Makmur Agro Lestari Mitra Sumber Tani Indah Karya Bumi Mas".split()


def organisations(rng: random.Random, n: int, prefix: str | None) -> list[Organisation]:
    """Formulaic names (shared words, namesakes, numbered siblings), some with
    abbreviations, coordinates and UML ids: every path of a match."""
    out = []
    for k in range(n):
        words = rng.sample(WORDS, rng.randint(2, 3))
        if rng.random() < 0.2:
            words.append(f"Mill {rng.randint(1, 3)}")
        if rng.random() < 0.3:
            words[0] = words[0][:-1] + "x"  # a typo, or a word no stored name has
        if rng.random() < 0.2:
            words[-1] = words[-1][:3]  # cut at a field's width
        located = rng.random() < 0.4
        out.append(
            Org(
                " ".join(words),
                rng.choice(["ID", "MY"]),
                {"uml": f"PO{1_000_000_000 + rng.randint(0, 60)}"} if rng.random() < 0.2 else {},
                rng.choice([None, None, "SJA", "KSJ"]),
                rng.uniform(0.0, 0.05) if located else None,
                101.0 if located else None,
                id=f"{prefix}{k}" if prefix else None,
            )
        )
    return out


def stored_without_shared_identifiers(rng: random.Random, n: int) -> list[Organisation]:
    seen: set[str] = set()
    out = []
    for org in organisations(rng, n, "s"):
        uml = org.identifiers.get("uml")
        if uml in seen:
            org = Org(org.name, org.country, {}, org.abbreviation, org.lat, org.lon, org.id)
        seen.add(uml or "")
        out.append(org)
    return out


def test_an_index_built_one_by_one_answers_as_one_built_at_once() -> None:
    rng = random.Random(3)
    stored = stored_without_shared_identifiers(rng, 300)
    new = organisations(rng, 300, None)
    at_once = StoredIndex(stored, common=20)  # common words: blocking intersects them
    one_by_one = StoredIndex(common=20)
    for k, org in enumerate(stored):
        one_by_one.add(org)
        if k % 50 == 49:  # matched in between: caches built, then kept current
            match_many(new[:20], one_by_one)
    answers = match_many(new, at_once)
    assert match_many(new, one_by_one) == answers
    assert len(one_by_one) == len(at_once) == 300
    assert {m.decision for m in answers} == {"existing", "choose", "new"}


def test_removing_answers_as_never_having_added() -> None:
    rng = random.Random(5)
    stored = stored_without_shared_identifiers(rng, 300)
    new = organisations(rng, 300, None)
    index = StoredIndex(stored, common=10)
    match_many(new, index)  # caches built before the removals
    gone = set(rng.sample([org.id for org in stored], 100))
    for stored_id in sorted(gone):
        index.remove(stored_id)
    kept = StoredIndex((org for org in stored if org.id not in gone), common=10)
    assert match_many(new, index) == match_many(new, kept)
    assert len(index) == 200
    removed = {k for k, org in enumerate(stored) if org.id in gone}
    for org in new:  # blocks never hand back a removed organisation
        facts = Facts.of(org)
        words, others = index.resolve(facts)
        assert not removed & set(index.block(words, facts.country, others))


def test_words_added_later_are_found_misspelt_and_cut() -> None:
    index = StoredIndex([Org("Sawit Jaya Abadi", "ID", id="a")])
    assert match(Org("Sawit Jaya Aba", "ID"), index).organisation == "a"  # vocabulary sorted
    index.add(Org("Kencana Gunajaya Makmur", "ID", id="k"))
    assert match(Org("Kencana Gunajaya Mak", "ID"), index).organisation == "k"
    assert match(Org("Kencana Gunajayo Makmur", "ID"), index).organisation == "k"
    index.remove("k")
    assert match(Org("Kencana Gunajaya Mak", "ID"), index).decision == "new"


def test_a_name_no_longer_shared_is_matched_again() -> None:
    index = StoredIndex(
        [Org("PT Wilmar Nabati", "ID", id="w1"), Org("Wilmar Nabati Tbk", "ID", id="w2")]
    )
    assert match(Org("Wilmar Nabati", "ID"), index).decision == "choose"
    index.remove("w2")
    assert match(Org("Wilmar Nabati", "ID"), index).organisation == "w1"
    index.add(Org("Wilmar Nabati Sdn Bhd", "ID", id="w3"))
    assert match(Org("Wilmar Nabati", "ID"), index).decision == "choose"


def test_add_and_remove_refuse_what_they_cannot_do() -> None:
    index = StoredIndex([Org("Olam", "GH", id="x")])
    with pytest.raises(ValueError, match="'x' appears twice"):
        index.add(Org("Olam", "CI", id="x"))
    with pytest.raises(ValueError, match="has no id"):
        index.add(Org("Olam", "CI"))
    with pytest.raises(KeyError, match="'y' is not indexed"):
        index.remove("y")
    index.remove("x")
    index.add(Org("Olam Cocoa", "GH", id="x"))  # an id may come back
    assert match(Org("Olam Cocoa Ltd", "GH"), index).organisation == "x"


def test_the_garbage_collector_is_left_as_it_was() -> None:
    index = StoredIndex([Org("Olam", "GH", id="x")])
    assert gc.isenabled()
    match_many([Org("Olam", "GH")], index)
    assert gc.isenabled()
    gc.disable()
    try:
        match_many([Org("Olam", "GH")], index)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_exact_word_scores_are_the_jaccard_index_of_the_words() -> None:
    rng = random.Random(11)
    vocabulary = [f"zu{a}{b}" for a in "bdfgkm" for b in "prstv"]  # 30 plain words
    names = [rng.sample(vocabulary, rng.randint(1, 12)) for _ in range(60)]  # some > 8 words
    index = StoredIndex()
    for k, words in enumerate(names[:30]):
        index.add(Org(" ".join(words), "ID", id=str(k)))
        index.word_codes()  # read between adds: rows appended, widened past 8 words
    new = [index.symbols(words) for words in names[30:]]
    new_at = np.repeat(np.arange(30), 30)
    stored_at = np.tile(np.arange(30), 30)
    got = exact_word_scores(
        padded_codes(new, max(map(len, new)), 0),
        np.array([len(s) for s in new]),
        index.word_codes(),
        index.columns().word_count,
        new_at,
        stored_at,
    )
    for k in range(len(got)):
        a, b = set(names[30 + new_at[k]]), set(names[stored_at[k]])
        assert got[k] == pytest.approx(len(a & b) / len(a | b))
