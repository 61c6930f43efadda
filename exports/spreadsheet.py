"""Text cells of the CSV files people open in a spreadsheet (the `csv` export,
`tiergraph joint-list -f csv`, `tiergraph match -f csv`): a cell that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading
apostrophe, so that Excel, LibreOffice and Numbers show it as text instead of
running it as a formula (OWASP's "CSV injection"). The names and ids come from
every organisation in the network (a supplier names its own sub-suppliers), and
the file is opened by another organisation's analyst. The JSON Lines and
GraphML exports and the JSON outputs carry the text as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = frozenset("=+-@\t\r")


def cell(value: Any) -> Any:
    """`value`, with an apostrophe before it when it is text a spreadsheet would run."""
    if type(value) is str and value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


def cells(values: Iterable[Any]) -> list[Any]:
    return [cell(v) for v in values]
