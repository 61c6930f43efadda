"""Folding an organisation's name for comparison, and the numbers in it.

`fold` turns "PT Perkebunan Nusantara III (Persero) Tbk." and "P.T. PERKEBUNAN
NUSANTARA 3" into the same "perkebunan nusantara 3": case, accents,
punctuation, legal-form words and a few stop words go; known abbreviations are
expanded; roman numerals become arabic. `name_key` also sorts the words, so
word order does not count. `numbers` is the set of numbers a name carries: two
names whose numbers differ are numbered siblings, never one organisation.
docs/matching.md lists the choices (why "coop" stays, which single letters count
as numerals).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

# Legal-form words, removed wherever they stand ("PT" leads, "Ltd" trails).
# Each says what kind of company it is, not which one.
LEGAL_FORMS: frozenset[str] = frozenset(
    # English-speaking and Asian registers
    "ltd limited co company inc incorporated corp corporation llc llp lp plc pte pvt "
    "pty pcl jsc ojsc pjsc cjsc "
    # Indonesia and Malaysia (Perseroan Terbatas, Terbuka, Persero; Sendirian Berhad)
    "pt cv tbk persero perseroan terbatas sdn bhd berhad sendirian "
    # German, Dutch, Nordic
    "gmbh ag kg ohg ug mbh bv nv vof se asa ab oy oyj aps "
    # French, Spanish, Portuguese, Italian (S.A. folds to "sa")
    "sa sas sasu sarl eurl snc sl slu srl spa ltda cia eireli sac saa eirl societe sociedad "
    "sociedade societa anonyme anonima "
    # Russian, Japanese, Vietnamese (TNHH: limited liability); Turkish, with the
    # "Sanayi ve Ticaret" (industry and trade) that lists keep or drop at will
    "ooo oao zao kk kabushiki kaisha tnhh as sti anonim sirketi sanayi ticaret".split()
)
# Legal forms whose words are ordinary words alone: removed only together.
LEGAL_PHRASES: tuple[tuple[str, ...], ...] = (
    ("public", "company"),
    ("private", "limited"),
    ("private", "ltd"),  # India's "Pvt Ltd" written half out
    ("limited", "liability"),
    ("joint", "stock"),
    ("cong", "ty"),  # Vietnamese "company"
    ("co", "phan"),  # Vietnamese "joint stock"
    ("a", "s"),
    ("s", "a"),
    ("c", "v"),  # Indonesian CV (Commanditaire Vennootschap) written C V
)
# Legal forms written out in full ("Kaffee Aktiengesellschaft" is "Kaffee AG"), and
# Russian ones in Cyrillic: dropped as the short forms are, but kept out of the
# checks for a legal form cut at a field's width or misspelt, which take a
# name's own word for the start of one ("Cooperativa de Osa" is no "Osakeyhtiö").
SPELT_OUT_LEGAL_FORMS: frozenset[str] = frozenset(
    "aktiengesellschaft aktiebolag aktiebolaget osakeyhtio ооо оао зао пао".split()
) | frozenset(  # Thai, as folding leaves it (NFKD): บริษัท ... จำกัด (มหาชน) and their initials
    unicodedata.normalize("NFKD", word)
    for word in "บริษัท จำกัด มหาชน บมจ บจก หจก ห้างหุ้นส่วนจำกัด ห้างหุ้นส่วนสามัญ".split()
)
SPELT_OUT_LEGAL_PHRASES: tuple[tuple[str, ...], ...] = (
    ("gesellschaft", "mit", "beschrankter", "haftung"),
    ("responsabilidad", "limitada"),  # "Sociedad de Responsabilidad Limitada" (SRL)
    ("a", "responsabilite", "limitee"),  # "Société à responsabilité limitée" (SARL)
    ("responsabilite", "limitee"),
    ("a", "responsabilite", "limited"),  # "limitee" read as a typo of "limited"
    ("responsabilite", "limited"),
    ("besloten", "vennootschap"),  # BV
    ("naamloze", "vennootschap"),  # NV
    ("public", "limited", "company"),  # PLC
    ("proprietary", "limited"),  # (Pty) Ltd
)
# Chinese and Japanese legal forms written without spaces.
CJK_LEGAL_SUFFIXES: tuple[str, ...] = (
    "股份有限公司", "有限责任公司", "有限公司", "株式会社", "有限会社", "合同会社"
)  # fmt: skip

# Numbers written as words, in the languages of supplier lists, read as numerals
# ("Estate Seven" and "Estate 7" are one estate, "Estate Seventeen" another). Words
# that are also ordinary words or places are left out ("dos" is Portuguese "of the",
# "lima" a city, "one" and "una" are too common in names).
NUMBER_WORDS: dict[str, int] = {
    **dict(
        zip(
            "two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen twenty".split(),
            range(2, 21),
            strict=True,
        )
    ),
    **dict(zip("thirty forty fifty sixty seventy eighty ninety".split(), range(30, 100, 10), strict=True)),
    **dict(
        zip(
            "tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
            "dieciseis diecisiete dieciocho diecinueve veinte".split(),
            range(3, 21),
            strict=True,
        )
    ),
    **dict(zip("treinta cuarenta cincuenta sesenta setenta ochenta noventa".split(), range(30, 100, 10), strict=True)),
    "cien": 100, "ciento": 100, "doscientos": 200, "trescientos": 300, "cuatrocientos": 400,
    "quinientos": 500,
    # Indonesian and Malay ("dua belas" is 12, "tiga puluh" 30: see _number_words)
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "enam": 6, "tujuh": 7, "delapan": 8,
    "lapan": 8, "sembilan": 9, "sepuluh": 10, "sebelas": 11, "seratus": 100,
}  # fmt: skip
# English tens and the units after them ("twenty one": "one" only there).
_TENS = frozenset("twenty thirty forty fifty sixty seventy eighty ninety".split())
_UNITS = {"one": 1} | {
    w: NUMBER_WORDS[w] for w in "two three four five six seven eight nine".split()
}

# Words that carry no identity in a name.
STOP_WORDS: frozenset[str] = frozenset(
    "the of and de du des la le les del da do das dos et y und ve dan".split()
)

# Abbreviations and their spelled-out form (both sides fold to the right-hand side).
EXPANSIONS: dict[str, tuple[str, ...]] = {
    "intl": ("international",),
    "mfg": ("manufacturing",),
    "inds": ("industries",),
    "ind": ("industries",),
    "bros": ("brothers",),
    "natl": ("national",),
    "grp": ("group",),
    "hldgs": ("holdings",),
    "tic": ("ticaret",),  # Turkish "San. ve Tic." = Sanayi ve Ticaret
    "ptpn": ("perkebunan", "nusantara"),  # PT Perkebunan Nusantara, Indonesia's state estates
    # A palm oil mill is written PKS (Pabrik Kelapa Sawit), POM, or "Palm Oil Mill".
    "pks": ("mill",),
    "pom": ("mill",),
}
PHRASE_EXPANSIONS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("palm", "oil", "mill"), ("mill",)),
    (("pabrik", "kelapa", "sawit"), ("mill",)),
)

# Turkish "San." is Sanayi (industry) only beside the words of a Turkish legal name
# ("San. ve Tic. Ltd. Şti.", "Tekstil San. A.Ş."); elsewhere it is a word of the name
# ("Cooperativa San Juan").
_SANAYI_BEFORE = frozenset("ve tic ticaret as ltd sti limited".split())

# The words for a cooperative, in the languages of supplier lists, and the
# OHADA legal forms of one (SCOOPS, COOP-CA): all fold to "coop". Being a
# cooperative is part of who it is, so "coop" is kept, not removed.
COOPERATIVE_WORDS: frozenset[str] = frozenset(
    "coop coops cooperative cooperatives cooperativa cooperatieve koperasi kooperasi "
    "scoop scoops coopca genossenschaft".split()
)

# Accents, and the optional vowel points of Hebrew (niqqud) and Arabic (harakat), as
# accents are optional in Latin names: "מְשֻׁלָּם" is "משלם", "مُحَمَّد" is "محمد".
_COMBINING = re.compile(
    r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
    r"\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"
    r"\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed]"
)
_CO_OP = re.compile(r"\bco-?op(?:erative)?(s?)(?:-ca)?\b")
_INITIAL_DOT = re.compile(r"(?<=\b\w)\.")  # the dots of S.A., P.T., A.S.
_DIGITS = re.compile(r"\d+")


def _ranges(codes: list[int]) -> str:
    """A regex character class's body for the code points `codes` (sorted)."""
    spans: list[list[int]] = []
    for c in codes:
        if spans and spans[-1][1] == c - 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    return "".join(_point(a) if a == b else f"{_point(a)}-{_point(b)}" for a, b in spans)


def _point(c: int) -> str:
    return f"\\u{c:04x}" if c <= 0xFFFF else f"\\U{c:08x}"


def _marks_and_formats() -> tuple[list[int], list[int]]:
    """Unicode's marks (Mn Mc Me) of the first two planes, and its invisible formatting
    characters (Cf) of the first plane and the tags: one pass over the code points."""
    marks, formats = [], []
    for c in (*range(0x20000), *range(0xE0000, 0xE0080)):
        category = unicodedata.category(chr(c))
        if category in ("Mn", "Mc", "Me"):
            marks.append(c)
        elif category == "Cf" and not 0x10000 <= c < 0xE0000:
            formats.append(c)
    return marks, formats


_MARK_POINTS, _FORMAT_POINTS = _marks_and_formats()
# The vowel signs, tone marks and viramas of Thai, Devanagari, Tamil, Sinhala, Khmer,
# Myanmar ... (Unicode's marks, Mn Mc Me) belong to their word: Python's \w leaves them
# out, and "ไทยยูเนี่ยน" was cut into "ไทยย", "เน", "ยน", and Hindi words lost their vowels.
# (The Latin accents are gone before: _COMBINING.)
_MARKS = _ranges(_MARK_POINTS)
_NON_WORD = re.compile(rf"(?:[^\w{_MARKS}]|_)+")
# a word: digits, or letters and their marks (punctuation splits)
_WORD = re.compile(rf"\d+|(?:[^\W\d_]|[{_MARKS}])+")
_APOSTROPHE = re.compile(r"['’`´]")  # Int'l is intl: an apostrophe joins, other punctuation splits
# Letters NFKD does not decompose into a base letter and an accent. Invisible
# formatting characters (Unicode's Cf: a soft hyphen, zero-width joiners, a byte-order
# mark, bidirectional marks) are dropped: "Sinar\u00adMas" is "SinarMas" as shown. A
# zero-width space is a word break ("Sinar\u200bMas" is "Sinar Mas").
_LETTERS: dict[int, str | None] = {
    **{ord(c): plain for c, plain in zip("ıøđłæœþ", "i o d l ae oe th".split(), strict=True)},
    **dict.fromkeys(_FORMAT_POINTS),
    0x200B: " ",
}


def _to_roman(value: int) -> str:
    tens, units = divmod(value, 10)
    return "x" * tens + ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"][units]


def roman(token: str) -> int | None:
    """The value of a roman numeral made of I, V and X (1-39), else None."""
    return int(_ROMANS[token]) if token in _ROMANS else None


def _thai_forms(forms: tuple[str, ...]) -> str:
    """The forms, as written (NFC) and as folding leaves them (NFKD), longest first."""
    both = {unicodedata.normalize(n, f) for f in forms for n in ("NFC", "NFKD")}
    return "|".join(re.escape(f) for f in sorted(both, key=len, reverse=True))


# Thai legal forms written without a space before or after the name (Thai puts no
# spaces between words): "บริษัทไทยยูเนี่ยนกรุ๊ปจำกัด(มหาชน)".
_THAI_LEGAL = re.compile(
    rf"^\s*(?:{_thai_forms(('บริษัท', 'ห้างหุ้นส่วนจำกัด', 'ห้างหุ้นส่วนสามัญ'))})"
    rf"|(?:{_thai_forms(('จำกัด', 'มหาชน', '(มหาชน)', 'จำกัด (มหาชน)', 'จำกัด(มหาชน)'))})\s*$"
)
_THAI = re.compile(r"[\u0e00-\u0e7f]")


def without_cjk_legal_forms(text: str) -> str:
    """`text` with each Chinese legal form (`有限公司` ...) a space, and a Thai one at the
    name's start or end: folding drops them."""
    if _THAI.search(text):
        text = _THAI_LEGAL.sub(" ", _THAI_LEGAL.sub(" ", text))
    for suffix in CJK_LEGAL_SUFFIXES:
        text = text.replace(suffix, " ")
    return text


def _plain(name: str) -> list[str]:
    """Case, accents, apostrophes, initials' dots and punctuation folded; the words,
    digits split from letters ("PKS2" is "pks", "2").
    (The guards skip a regex when its text cannot occur: folding runs 200,000 times a file.)"""
    text = name.casefold()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).translate(_LETTERS)
        text = without_cjk_legal_forms(text)
    if "op" in text and _CO_OP.search(text):
        text = _CO_OP.sub(r"coop\1", text)
    if "." in text:
        text = _INITIAL_DOT.sub("", text)
    if "'" in text or "’" in text:
        text = _APOSTROPHE.sub("", text)
    return _WORD.findall(text)


def _by_first_word(
    phrases: tuple[tuple[str, ...], ...],
) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Phrases looked up by their first word (a dict hit per word, not a scan)."""
    index: dict[str, tuple[tuple[str, ...], ...]] = {}
    for phrase in sorted(phrases, key=len, reverse=True):
        index[phrase[0]] = index.get(phrase[0], ()) + (phrase,)
    return index


_LEGAL_PHRASE_STARTS = _by_first_word(LEGAL_PHRASES + SPELT_OUT_LEGAL_PHRASES)
_EXPANSION_STARTS = _by_first_word(tuple(p for p, _ in PHRASE_EXPANSIONS))
_PHRASE_REPLACEMENT = dict(PHRASE_EXPANSIONS)
_ROMANS = {numeral: str(value) for value in range(1, 40) for numeral in [_to_roman(value)]}
# Indonesian and Malay: "dua belas" 12, "tiga puluh" 30, "dua ratus" 200.
_NUMBER_JOINERS = {"belas": (1, 10), "puluh": (10, 0), "ratus": (100, 0)}
# Words some step of folding changes or drops (every other word passes as it is).
_EXPANDED = frozenset(_EXPANSION_STARTS) | COOPERATIVE_WORDS | frozenset(EXPANSIONS) | {"san"}
_IDENTITY_SPECIAL = (
    frozenset(_LEGAL_PHRASE_STARTS)
    | LEGAL_FORMS
    | SPELT_OUT_LEGAL_FORMS
    | STOP_WORDS
    | frozenset(_ROMANS)
    | frozenset(NUMBER_WORDS)
    | frozenset(_NUMBER_JOINERS)
)
# What a legal-form word truncated to 1-3 letters leaves (never a numeral: "Mill I").
_TRUNCATED_LEGAL_FORMS = frozenset(
    form[:n] for form in LEGAL_FORMS for n in range(1, min(4, len(form)))
) - set(_ROMANS)


# The words of legal forms and legal phrases ("private" of "Private Limited").
LEGAL_WORDS = LEGAL_FORMS | {w for phrase in LEGAL_PHRASES for w in phrase if len(w) > 1}
_DROPPED_AT_END = LEGAL_WORDS | STOP_WORDS
_LEGAL_WORD_STARTS = frozenset(word[:n] for word in LEGAL_WORDS for n in range(3, len(word)))


def cut_legal(word: str) -> bool:
    """Whether a name's last word may be what a cut at a field's width left of a
    legal-form word, which folding would drop whole: "Limi", "Pri"."""
    return word in _LEGAL_WORD_STARTS


def _one_edit(word: str) -> set[str]:
    """Every spelling one typo from `word`: a letter dropped, doubled or added,
    changed, or two neighbours swapped (as rapidfuzz's OSA distance counts)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in cuts if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1}
    out |= {a + c + b[1:] for a, b in cuts if b for c in letters}
    out |= {a + c + b for a, b in cuts for c in letters}
    return out


def _misspellings(words: frozenset[str]) -> dict[str, str]:
    """Each typo of one of `words` (7 letters or more) that keeps its first letter
    -> that word. A typo that is itself a word folding knows is left alone, and so
    is one two of them share, unless both are cooperative words (one `coop`)."""
    known = LEGAL_WORDS | COOPERATIVE_WORDS | STOP_WORDS | frozenset(EXPANSIONS)
    seen: dict[str, set[str]] = {}
    for word in words:
        if len(word) >= 7:
            for typo in _one_edit(word) - known:
                if len(typo) >= 6 and typo[0] == word[0]:
                    seen.setdefault(typo, set()).add(word)
    return {typo: min(of) for typo, of in seen.items() if len(of) == 1 or of <= COOPERATIVE_WORDS}


@cache
def _misspelt() -> dict[str, str]:
    """ "Koperaasi", "Coperativa", "Limted", "Privte": a typo in a legal-form or
    cooperative word of 7 letters or more reads as the word, so folding drops or
    expands it as it does the word (built at first use: 20-30 ms)."""
    return _misspellings(LEGAL_WORDS | COOPERATIVE_WORDS)


def _spelt(words: list[str]) -> list[str]:
    """A cooperative word's typo is read as the word wherever it stands; a legal
    form's only among the legal-form and stop words that end the name ("Kavaan
    Textiles Privte Limted"), where legal forms are written: "PT Limiter
    Industries" and "Shree Kaushiki Textiles Pvt Ltd" keep their words."""
    misspelt = _misspelt()
    if misspelt.keys().isdisjoint(words):  # most names
        return words
    out = list(words)
    ending = True  # still among the words that end the name
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        right = misspelt.get(word)
        if right is not None and (ending or right in COOPERATIVE_WORDS):
            out[i] = right
        ending = ending and out[i] in _DROPPED_AT_END
    return out


def _phrase_at(
    words: list[str], i: int, starts: dict[str, tuple[tuple[str, ...], ...]]
) -> tuple[str, ...] | None:
    for phrase in starts.get(words[i], ()):
        if tuple(words[i : i + len(phrase)]) == phrase:
            return phrase
    return None


def _expand(words: list[str]) -> list[str]:
    """Abbreviations and cooperative words replaced (phrases first)."""
    if _EXPANDED.isdisjoint(words):  # most names
        return words
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word not in _EXPANDED:
            out.append(word)
            i += 1
            continue
        if word in _EXPANSION_STARTS:
            phrase = _phrase_at(words, i, _EXPANSION_STARTS)
            if phrase is not None:
                out.extend(_PHRASE_REPLACEMENT[phrase])
                i += len(phrase)
                continue
        if word in COOPERATIVE_WORDS:
            if "coop" not in out:  # "Coopérative ... SCOOPS": one cooperative, spelt twice
                out.append("coop")
        elif word == "san":
            last = i + 1 == len(words)
            out.append("sanayi" if last or words[i + 1] in _SANAYI_BEFORE else word)
        elif word in EXPANSIONS:
            out.extend(EXPANSIONS[word])
        else:
            out.append(word)
        i += 1
    return out


def _identity_words(words: list[str]) -> list[str]:
    """Legal-form and stop words dropped; numerals arabic. A lone I, V or X counts
    as a numeral only after the first word ("PTPN V", "Mill I"), never as an initial."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word not in _IDENTITY_SPECIAL and not word.isdigit():
            out.append(word)
            i += 1
            continue
        if word in _LEGAL_PHRASE_STARTS:
            phrase = _phrase_at(words, i, _LEGAL_PHRASE_STARTS)
            if phrase is not None:
                i += len(phrase)
                continue
        i += 1
        if word in LEGAL_FORMS or word in STOP_WORDS or word in SPELT_OUT_LEGAL_FORMS:
            continue
        if word.isdigit():
            out.append(str(int(word)))
        elif word in NUMBER_WORDS or (word in _NUMBER_JOINERS and out and out[-1].isdigit()):
            i = _number_words(words, i - 1, out)
        elif word in _ROMANS and (len(word) > 1 or i > 1):
            out.append(_ROMANS[word])
        else:
            out.append(word)
    return out


def _number_words(words: list[str], i: int, out: list[str]) -> int:
    """The number written in words from words[i] ("seven", "twenty one", "dua belas",
    "tiga puluh dua"; a joiner after a written digit, "2 belas", too) appended to
    `out` as arabic digits; returns the index after it."""
    word = words[i]
    if word in _NUMBER_JOINERS:  # after digits already out: "2 belas"
        value = int(out.pop())
    else:
        value = NUMBER_WORDS[word]
        i += 1
    if word in _TENS and i < len(words) and words[i] in _UNITS:
        value += _UNITS[words[i]]  # "twenty one" (a hyphen splits the words)
        i += 1
    while i < len(words) and words[i] in _NUMBER_JOINERS:
        times, plus = _NUMBER_JOINERS[words[i]]
        value = value * times + plus if times > 1 else value + plus
        i += 1
        if times > 1 and i < len(words) and NUMBER_WORDS.get(words[i], 10) < 10:
            value += NUMBER_WORDS[words[i]]  # "tiga puluh dua"
            i += 1
    out.append(str(value))
    return i


@lru_cache(maxsize=65536)
def fold(name: str) -> str:
    """The name as compared: lower case, no accents or punctuation, no legal-form
    or stop words, abbreviations expanded, numerals arabic; word order kept.
    A name made only of legal-form words ("Company Limited") keeps them."""
    return " ".join(folded_words(name))


def folded_words(name: str) -> list[str]:
    """fold's words, uncached (matching folds each stored and new name once)."""
    return folded_name(name)[0]


def folded_name(name: str) -> tuple[list[str], str]:
    """fold's words, and the initials of the legal-form words (and the stop words
    between them: "Sanayi ve Ticaret AS") folding dropped from the name's end ("sb"
    of "... Palm Sendirian Berhad", "" when none, or when a stop word ends it):
    what a name cut inside them may have kept ("... Palm S")."""
    words = _expand(_spelt(_plain(name)))
    kept = _identity_words(words)
    while len(kept) >= 3 and kept[-1] in _TRUNCATED_LEGAL_FORMS and _cut_short(words, kept, name):
        kept.pop()
        words = words[:-1]
    if not kept or words[-1] in STOP_WORDS:  # "... Pangoa de": no legal form ends it
        return kept or words, ""
    end = len(words)
    while end > 0 and words[end - 1] in _DROPPED_AT_END and words[end - 1] != kept[-1]:
        end -= 1
    return kept, "".join(word[0] for word in words[end:])


def _cut_short(words: list[str], kept: list[str], name: str) -> bool:
    """Whether the last word is a legal form cut at a field's width: after a legal-form
    word ("Sdn B", "Co Lt"), or of 2-3 letters ending a name long enough to have been
    cut (20 characters: "Plantation Tb", not "Xiamen Hong Li"). A single letter
    elsewhere is a site's mark ("Estate B", "Blok C"), which numbers() counts."""
    if words[-1] != kept[-1]:
        return False
    if len(words) >= 2 and words[-2] in LEGAL_FORMS:
        return True
    return len(kept[-1]) >= 2 and len(name) >= FIELD_WIDTH_AT_LEAST


FIELD_WIDTH_AT_LEAST = 20  # the shortest name taken as cut at a field's width


def name_key(name: str) -> str:
    """The folded name with its words sorted: what two names must share to be
    'the same name' (word order does not count)."""
    return " ".join(sorted(fold(name).split()))


def numbers(name: str) -> frozenset[int]:
    """The numbers a name carries, arabic or roman ("PTPN III" -> {3}, "Mill 2" -> {2})."""
    return numbers_of_folded(fold(name))


_NO_NUMBERS: frozenset[int] = frozenset()


def numbers_of_folded(folded: str) -> frozenset[int]:
    """The numbers, and a single letter ending a name of two words or more as a site's
    mark ("Estate A" and "Estate B" are siblings as "Mill 1" and "Mill 2" are; it
    counts as the negative number -1 for a ... -26 for z), as is a single letter
    after a number inside the name ("Plot 12A Sejahtera", "Blok 7 B Makmur")."""
    mark = len(folded) > 2 and folded[-2] == " " and "a" <= folded[-1] <= "z"
    if not mark and not _DIGITS.search(folded):  # most names: no set built
        return _NO_NUMBERS
    words = folded.split()
    found = {int(w) for w in words if w.isdigit()}
    if mark:
        found.add(96 - ord(folded[-1]))
    for before, word in zip(words, words[1:-1], strict=False):
        if before.isdigit() and len(word) == 1 and "a" <= word <= "z":
            found.add(96 - ord(word))  # "Plot 12A Sejahtera": a site's mark inside the name
    return frozenset(found)


def labelled_numbers(folded: str) -> tuple[tuple[str, int], ...]:
    """Each number of a name with two numbers or more, with the word it counts
    ("Afdeling 3 Blok 7" -> (("afdeling", 3), ("blok", 7))): the word just before it,
    or, for a number that starts the name, the word just after ("7 Blok ..."). A number
    right after another ("Estate 12-3") counts no word. Empty for a name with fewer
    than two numbers (most names), where the set of numbers says it all."""
    if not _DIGITS.search(folded):
        return ()
    words = folded.split()
    at = [i for i, word in enumerate(words) if word.isdigit()]
    if len({words[i] for i in at}) < 2:
        return ()
    pairs = set()
    for i in at:
        if i > 0:
            label = words[i - 1]
        elif len(words) > 1:
            label = words[1]
        else:
            continue
        if not label.isdigit():
            pairs.add((label, int(words[i])))
    return tuple(sorted(pairs))


def numbers_placed_apart(a: tuple[tuple[str, int], ...], b: tuple[tuple[str, int], ...]) -> bool:
    """Whether a word both names count numbers with counts different ones: "Afdeling 3
    Blok 7" against "Afdeling 7 Blok 3" (the same set of numbers, two sites), not
    "Blok 7 Afdeling 3" (the same site, its words in another order)."""
    if not (a and b) or a == b:
        return False
    counted: dict[str, set[int]] = {}
    for label, number in a:
        counted.setdefault(label, set()).add(number)
    theirs: dict[str, set[int]] = {}
    for label, number in b:
        if label in counted:
            theirs.setdefault(label, set()).add(number)
    return any(counted[label] != numbers for label, numbers in theirs.items())


def fold_abbreviation(abbreviation: str | None) -> str | None:
    """An abbreviation as compared: letters and digits only, upper case; None when empty."""
    if abbreviation is None:
        return None
    folded = _NON_WORD.sub("", _COMBINING.sub("", unicodedata.normalize("NFKD", abbreviation)))
    return folded.upper() or None
