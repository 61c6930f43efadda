"""Folding names: what must fold together, what must stay apart (docs/matching.md)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.names import fold, fold_abbreviation, name_key, numbers, roman


@pytest.mark.parametrize(
    "a, b",
    [
        ("PT Perkebunan Nusantara III (Persero) Tbk.", "P.T. PERKEBUNAN NUSANTARA 3"),
        ("PT Perkebunan Nusantara III", "PTPN III"),
        ("Nestlé S.A.", "NESTLE SA"),
        ("Wilmar International Limited", "Wilmar Int'l Ltd."),
        ("Musim Mas Sdn. Bhd.", "MUSIM MAS SENDIRIAN BERHAD"),
        ("Guangzhou Huafu Textile Co., Ltd.", "Guangzhou Huafu Textile Company Limited"),
        ("Guangzhou Huafu Textile 有限公司", "Guangzhou Huafu Textile Ltd"),
        ("Akın Tekstil San. ve Tic. A.Ş.", "AKIN TEKSTIL SANAYI VE TICARET AS"),
        ("Công ty TNHH May Việt Tiến", "Viet Tien May Co., Ltd"),
        ("Sei Mangkei Palm Oil Mill", "PKS Sei Mangkei"),
        ("Société Coopérative Agricole de Daloa", "SCOOPS Agricole Daloa"),
        ("COOP-CA Agricole de Daloa", "Coopérative Agricole Daloa"),
        ("Kuapa Kokoo Co-operative", "Kuapa Kokoo Cooperative"),
        ("Cooperativa Agraria Cafetalera Pangoa", "Pangoa Cooperativa Agraria Cafetalera"),
        # an OHADA form beside the word: one cooperative, spelt twice
        ("Coopérative Agricole Kimbé SCOOPS", "Société Coopérative Agricole Kimbé"),
        ("Tekstil San. A.Ş.", "Tekstil Sanayi AS"),
        ("PT Sawit Jaya Plantation Tb", "PT Sawit Jaya Plantation Tbk"),  # cut at 27
        ("Sawit Jaya Makmur Sdn B", "Sawit Jaya Makmur Sdn Bhd"),  # cut after a legal form
        ("Ankama Textiles Private Ltd", "Ankama Textiles Pvt. Ltd."),  # India's one form
        ("Ankama Textiles Private Ltd", "Ankama Textiles Private Limited"),
        # one typo in a legal-form or cooperative word of 7 letters or more
        ("Koperaasi Jaka Asahan", "Koperasi Jaka Asahan"),
        ("Coperativa Agraria Nisa Bahia", "Cooperativa Agraria Nisa Bahia"),
        ("Agricole Cooopérative Kanouya", "Coopérative Agricole Kanouya"),
        ("Kavaan Textiles Privte Limted", "Kavaan Textiles Private Limited"),
        ("Sawit Makmur Sendirain Berhad", "Sawit Makmur Sdn Bhd"),
        ("Grupo Cooperativo Cafetalero Pangoa", "Grupo Cooperativa Cafetalero Pangoa"),
    ],
)
def test_spellings_of_one_organisation_fold_to_one_name(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("PT Perkebunan Nusantara III", "PT Perkebunan Nusantara IV"),
        ("Sawit Jaya Mill 1", "Sawit Jaya Mill 2"),
        ("Sawit Jaya Mill", "Sawit Jaya Mill 2"),
        ("Coopérative Agricole de Daloa", "Agricole de Daloa SARL"),  # a cooperative stays one
        ("Sawit Jaya Abadi", "Sawit Jaya Makmur"),
        ("PT Sawit Jaya Estate A", "PT Sawit Jaya Estate B"),  # sites lettered, not cut
        ("Koperasi Tani Makmur B", "Koperasi Tani Makmur"),
        ("Xiamen Hong Li", "Xiamen Hong An"),  # short names: syllables, not cut legal forms
        ("Cooperativa San Juan", "Cooperativa Juan"),  # San is Turkish Sanayi only beside Tic.
        # a legal form's typo is one only among the words that end the name
        ("Limiter Industries Ltd", "Industries Ltd"),
        ("PT Limiter Industries", "PT Industries Tbk"),
        ("Shree Kaushiki Textiles Pvt Ltd", "Shree Textiles Pvt Ltd"),  # not Kabushiki
        ("Syarikat Pendirian Sawit Makmur Sdn Bhd", "Syarikat Sawit Makmur Sdn Bhd"),
        ("PT Operasi Sawit Lestari", "Koperasi Sawit Lestari"),  # a typo keeps its first letter
    ],
)
def test_different_organisations_keep_different_names(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_numbers_and_numerals_are_read_alike() -> None:
    assert numbers("PTPN III") == numbers("PT Perkebunan Nusantara 3") == {3}
    assert numbers("Mill No.02") == {2}
    assert numbers("PKS2 Sungai Rokan") == {2}
    assert numbers("Sawit Jaya Mill") == frozenset()
    assert numbers("Mill I") == {1}
    assert numbers("I Love Cocoa Ltd") == frozenset()  # a leading I is an initial
    # A single letter ending a name marks a site, as a number does.
    assert numbers("Kebun Blok C") == numbers("KEBUN BLOK C") != numbers("Kebun Blok D")
    assert numbers("Kebun Blok C") != numbers("Kebun Blok") == frozenset()
    assert numbers("Estate 2 B") == {2, -2} != numbers("Estate 2")
    assert numbers("C") == frozenset()  # a name of one letter is no site's mark
    assert roman("xiv") == 14 and roman("iiii") is None and roman("mix") is None


def test_a_name_of_legal_words_only_keeps_them() -> None:
    assert fold("Company Limited") == "company limited"


def test_abbreviations_fold_punctuation_and_case() -> None:
    assert fold_abbreviation("S.C.A.E.K.") == fold_abbreviation("scaek") == "SCAEK"
    assert fold_abbreviation("  ") is None and fold_abbreviation(None) is None


WORDS = st.sampled_from(
    "sawit jaya abadi makmur agro lestari cacao ivoire daloa soubre huafu guangzhou "
    "textile garment kencana bumitama mill".split()
)
LEGAL = st.sampled_from(["", "PT", "Ltd", "Sdn Bhd", "S.A.", "Co., Ltd.", "GmbH", "Inc."])


@given(st.lists(WORDS, min_size=1, max_size=5, unique=True), LEGAL, st.randoms())
def test_case_order_and_legal_form_never_change_the_name_key(
    words: list[str], legal: str, rnd
) -> None:
    name = " ".join(words)
    shuffled = words[:]
    rnd.shuffle(shuffled)
    variant = f"{legal} {' '.join(shuffled).upper()}" if legal else " ".join(shuffled).title()
    assert name_key(variant) == name_key(name)


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x24F), max_size=40))
def test_folding_a_folded_name_changes_nothing(name: str) -> None:
    assert fold(fold(name)) == fold(name)


@given(st.lists(WORDS, min_size=1, max_size=4), st.integers(1, 39), st.integers(1, 39))
def test_two_numbers_make_two_names(words: list[str], n: int, m: int) -> None:
    base = " ".join(words)
    assert (numbers(f"{base} {n}") == numbers(f"{base} {m}")) == (n == m)
