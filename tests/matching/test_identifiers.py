"""Identifier checks: known-good published values pass, every single mistake is caught."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matching.identifiers import (
    KINDS,
    check,
    check_duns,
    check_gln,
    check_lei,
    check_os_id,
    check_uml,
    gs1_check_digit,
    lei_check_digits,
    os_id_check_character,
)

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_a_real_lei_passes_and_is_normalised() -> None:
    assert check_lei("5493001KJTIIGC8Y1R12") == "5493001KJTIIGC8Y1R12"
    assert check_lei(" 5493 001k jtii gc8y 1r12 ") == "5493001KJTIIGC8Y1R12"
    assert lei_check_digits("5493001KJTIIGC8Y1R") == "12"


@pytest.mark.parametrize(
    "value, problem",
    [
        ("5493001KJTIIGC8Y1R13", "check digits 13 are wrong"),
        ("5493001KJTIIGC8Y1R21", "check digits 21 are wrong"),  # swapped
        # MOD 97 holds, but 98 - (n mod 97) never gives these: never issued
        ("5493001KJTIIG0003900", "check digits 00 are never issued"),
        ("5493001KJTIIG0007101", "check digits 01 are never issued"),
        ("5493001KJTIIG0000699", "check digits 99 are never issued"),
        ("5493001KJTIIGC8Y1R1", "19 characters"),
        ("5493001KJTIIGC8Y1R1X", "last two must be digits"),
        ("5493001KJTIIGC8Y1R_2", "only letters and digits"),
        ("", "empty"),
    ],
)
def test_a_wrong_lei_names_its_problem(value: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_lei(value)


@given(st.text(alphabet=ALNUM, min_size=18, max_size=18), st.integers(0, 17), st.data())
def test_mod_97_catches_every_digit_or_letter_changed_for_another(body: str, at: int, data) -> None:
    # A digit for a digit or a letter for a letter changes the number by less than 97
    # times a power of ten: always caught. (A letter for a digit shifts the number and
    # is only caught with high probability, as ISO 7064 says.)
    lei = body + lei_check_digits(body)
    assert check_lei(lei) == lei
    same_class = "0123456789" if lei[at].isdigit() else ALNUM[10:]
    other = data.draw(st.sampled_from(same_class).filter(lambda ch: ch != lei[at]))
    with pytest.raises(ValueError, match="check digits"):
        check_lei(lei[:at] + other + lei[at + 1 :])


def test_duns_is_nine_digits() -> None:
    assert check_duns("15-048-3782") == "150483782"
    for bad in ("15048378", "1504837820", "15048378A"):
        with pytest.raises(ValueError, match="DUNS .* 9 digits"):
            check_duns(bad)


def test_gln_check_digit() -> None:
    # GS1's own example GLN (company prefix 0614141) and a retail EAN-13 (same mod 10).
    assert check_gln("0614141000005") == "0614141000005"
    assert check_gln("4006381333931") == "4006381333931"
    with pytest.raises(ValueError, match="check digit 6 is wrong"):
        check_gln("0614141000006")
    with pytest.raises(ValueError, match="13 digits"):
        check_gln("061414100000")


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(0, 11), st.data())
def test_gs1_catches_every_single_changed_digit(body: str, at: int, data) -> None:
    gln = body + gs1_check_digit(body)
    other = data.draw(st.sampled_from("0123456789").filter(lambda d: d != gln[at]))
    with pytest.raises(ValueError):
        check_gln(gln[:at] + other + gln[at + 1 :])


def test_a_real_os_id_passes_hyphenated_or_not() -> None:
    # A facility id as Open Supply Hub's API returns it.
    assert check_os_id("DE20211253G9MQX") == "DE20211253G9MQX"
    assert check_os_id("de-2021125-3g9mq-x") == "DE20211253G9MQX"
    assert os_id_check_character("DE20211253G9MQ") == "X"


@pytest.mark.parametrize(
    "value, problem",
    [
        ("DE20211253G9MQY", "check character Y is wrong"),
        ("DE2021125G9MQX", "14 characters"),
        ("DE20213673G9MQX", "day of year 367"),
        ("DE20210003G9MQX", "day of year 000"),
        ("DE2021125IG9MQX", "base-32"),  # I is not a Crockford symbol
        ("D120211253G9MQX", "country"),
    ],
)
def test_a_wrong_os_id_names_its_problem(value: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_os_id(value)


@pytest.mark.parametrize(
    "check, value",
    [
        (
            check_duns,
            "\u0661\u0665\u0660\u0664\u0668\u0663\u0667\u0668\u0662",
        ),  # Arabic-Indic 150483782
        (check_duns, "\uff11\uff15\uff10\uff14\uff18\uff13\uff17\uff18\uff12"),  # full-width
        (check_duns, "15048378\u00b2"),  # a superscript 2
        (
            check_gln,
            "\u0660\u0666\u0661\u0664\u0661\u0664\u0661\u0660\u0660\u0660\u0660\u0660\u0665",
        ),
        (check_gln, "06141410000\u00b95"),
        (check_lei, "5493001KJTI\u0131GC8Y1R12"),  # a dotless i, upper-cased to I by Python
        (check_uml, "PO100000859\uff10"),
    ],
)
def test_only_ascii_letters_and_digits_make_an_identifier(check, value) -> None:
    """Another script's digits would be another spelling of a held identifier (the
    one-holder rule and matching would miss it), or make one out of another."""
    with pytest.raises(ValueError, match="only the letters A-Z and the digits 0-9"):
        check(value)


def test_day_366_of_an_os_id_is_only_in_a_leap_year() -> None:
    leap = "DE20203663G9MQ"
    assert check_os_id(leap + os_id_check_character(leap)) == leap + os_id_check_character(leap)
    plain = "DE20213663G9MQ"
    with pytest.raises(ValueError, match="day of year 366 is not 001-365"):
        check_os_id(plain + os_id_check_character(plain))


def test_uml_id_is_po_and_ten_digits() -> None:
    assert check_uml("po1000008590") == "PO1000008590"
    for bad in ("PO100000859", "PX1000008590", "1000008590"):
        with pytest.raises(ValueError, match="PO and 10 digits"):
            check_uml(bad)


def test_check_dispatches_by_kind_and_refuses_unknown_kinds() -> None:
    assert check("uml", "PO1000008590") == "PO1000008590"
    assert set(KINDS) == {"lei", "duns", "gln", "os_id", "uml"}
    with pytest.raises(ValueError, match="'vat' is not one of lei, duns, gln, os_id, uml"):
        check("vat", "DE123")
