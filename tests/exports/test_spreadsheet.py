"""exports.spreadsheet: which cells a spreadsheet would run, and nothing else touched."""

from __future__ import annotations

from exports.spreadsheet import cell, cells


def test_text_starting_as_a_formula_gets_an_apostrophe_and_nothing_else_changes() -> None:
    for text in ("=1+1", "+33 1 23", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert cell(text) == "'" + text
    for same in ("", "Coopérative =1", "'=quoted already", "1=1", " =1"):
        assert cell(same) == same
    for value in (-2.5, 3, None, True):  # numbers and flags are not text: as they are
        assert cell(value) is value
    assert cells(["=a", "b", -1]) == ["'=a", "b", -1]
