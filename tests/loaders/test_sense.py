"""What a new user hit: days that have not come yet, country names, stray files in
a load folder, files of garbage. Each is refused with file, line and field, and
nothing is written, on every store."""

from __future__ import annotations

import random
import string
from datetime import date

import pytest

from loaders.load import SNIFF_ROWS, load
from loaders.validate import PROBLEMS_KEPT
from tests.loaders.test_load import ORGS, write

TODAY = date(2026, 6, 1)


def problems(report) -> list[str]:
    return [str(p) for p in report.problems]


def test_days_after_today_are_refused_naming_file_line_and_field(store, tmp_path):
    folder = write(
        tmp_path / "days",
        {
            "organisations.csv": ORGS,
            "requirements.csv": "id,title\nR1,Code\n",
            "sourcing.csv": "buyer,seller,commodity,since\nM1,S1,cocoa,2026-06-02\n",
            "pass_on.csv": "buyer,seller,requirement,at\nM1,S1,R1,2027-01-01\n",
            "adoptions.csv": "organisation,requirement,at\nS1,R1,2026-06-01\n",  # today: fine
            "audits.csv": "id,organisation,scheme,audit_date,valid_until,commissioned_by\n"
            "A1,S1,SMETA,2026-07-01,2027-07-01,M1\n"
            "A2,S1,SMETA,2020-01-01,2030-01-01,M1\n"  # ten years to the day: fine
            "A3,S1,SMETA,2020-01-01,2030-01-02,M1\n",
        },
    )
    report = load(store, [folder], today=TODAY)
    assert sorted(problems(report)) == sorted(
        [
            f"{folder / 'sourcing.csv'}:2: since: 2026-06-02 is after today (2026-06-01): "
            "a day that has not come yet",
            f"{folder / 'pass_on.csv'}:2: at: 2027-01-01 is after today (2026-06-01): "
            "a day that has not come yet",
            f"{folder / 'audits.csv'}:2: audit_date: 2026-07-01 is after today (2026-06-01): "
            "a day that has not come yet",
            f"{folder / 'audits.csv'}:4: valid_until: 2030-01-02 is more than 10 years after "
            "audit_date 2020-01-01",
        ]
    )
    assert set(store.counts().values()) == {0}  # nothing half-written
    # the clock's own today is the default: these days are long past
    assert load(store, [write(tmp_path / "past", {"organisations.csv": ORGS})]).ok


@pytest.mark.parametrize(
    ("written", "advice"),
    [("Germany", ": use DE"), ("DEU", ": use DE"), ("Ivory Coast", ": use CI"), ("Atlantis", "")],
)
def test_a_country_name_says_its_code(tmp_path, written, advice):
    from graph.sqlite_store import SqliteStore

    folder = write(
        tmp_path / "c", {"organisations.csv": f"id,kind,name,country\nS1,supplier,X,{written}\n"}
    )
    report = load(SqliteStore(), [folder])
    assert problems(report) == [
        f"{folder / 'organisations.csv'}:2: country: {written!r} is not an ISO 3166-1 alpha-2 "
        f"country code{advice}"
    ]


def test_other_files_in_a_folder_are_named_and_nothing_is_written(store, tmp_path):
    folder = write(
        tmp_path / "net",
        {
            "organisations.csv": ORGS,
            "suppliers.xlsx": b"PK\x03\x04",
            "notes.txt": "todo",
            ".DS_Store": b"\0",
        },
    )
    report = load(store, [folder])
    assert [p.as_dict() for p in report.problems] == [
        {
            "file": str(folder / name),
            "line": None,
            "field": None,
            "reason": "neither .csv nor .json: move it out of the folder, or load with "
            "--ignore-other-files",
        }
        for name in ("notes.txt", "suppliers.xlsx")  # hidden files are not read
    ]
    assert report.written == {} and store.counts()["members"] == 0
    ignored = load(store, [folder], ignore_other_files=True)
    assert ignored.ok and ignored.written == {"organisations": 4}


def _garbage_csv(path, header: str, megabytes: int) -> None:
    rnd = random.Random(7)
    alphabet = string.ascii_letters + " ,;"
    lines = ["".join(rnd.choice(alphabet) for _ in range(60)) for _ in range(1000)]
    with path.open("w") as fh:
        fh.write(header)
        for i in range(megabytes * 1_000_000 // 61):
            fh.write(lines[i % 1000] + "\n")


def test_a_file_of_garbage_is_refused_after_its_first_rows(store, tmp_path):
    folder = tmp_path / "garbage"
    folder.mkdir()
    _garbage_csv(folder / "organisations.csv", "id,kind,name,country\n", 5)
    report = load(store, [folder])
    first = report.problems[0]
    assert (first.file, first.line) == (str(folder / "organisations.csv"), None)
    assert first.reason.startswith(
        f"its first {SNIFF_ROWS} rows are all bad: not a file of organisations?"
    )
    assert {p.line for p in report.problems[1:]} <= set(
        range(2, SNIFF_ROWS + 2)
    )  # those rows, no more
    assert store.counts()["suppliers"] == 0


def test_past_the_first_problems_a_load_only_counts_them(tmp_path):
    from graph.sqlite_store import SqliteStore

    folder = tmp_path / "mixed"
    folder.mkdir()
    _garbage_csv(folder / "organisations.csv", "id,kind,name,country\nS1,supplier,Good,GH\n", 1)
    report = load(SqliteStore(), [folder])
    assert len(report.problems) == PROBLEMS_KEPT
    assert report.unlisted > 10_000 and not report.ok
    assert report.as_dict()["unlisted"] == report.unlisted


def test_a_binary_file_is_refused_at_once(tmp_path):
    from graph.sqlite_store import SqliteStore

    folder = write(tmp_path / "bin", {"sourcing.csv": b"buyer,seller\n\x00\x01\x02" * 1000})
    report = load(SqliteStore(), [folder])
    assert problems(report) == [
        f"{folder / 'sourcing.csv'}:2: a binary file, not text (a NUL byte at offset 13): "
        "not a CSV or JSON file"
    ]
