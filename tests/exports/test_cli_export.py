"""`tiergraph export` on the embedded store: the file it writes is what the
service writes, its JSON summary counts the rows in the file, and refusals exit 2
with a JSON error under --report json."""

from __future__ import annotations

import json

from graph.sqlite_store import SqliteStore
from tests.exports.read import read_export
from tests.test_cli import data_dir, run  # noqa: F401 - data_dir is a fixture
from tests.views.forum import AS_OF, forum


def test_export_writes_the_file_and_says_what_is_in_it(data_dir, monkeypatch):  # noqa: F811
    store = SqliteStore(data_dir / "data")
    store.write(forum())
    store.close()
    for fmt in ("csv", "jsonl", "graphml"):
        path = data_dir / f"m1.{fmt}"
        code, out = run(
            "export", "-m", "M1", "-f", fmt, "--as-of", str(AS_OF), "-o", str(path),
            "--report", "json",
        )  # fmt: skip
        assert code == 0, out
        summary = json.loads(out)
        read = read_export(path, fmt)
        assert (summary["nodes"], summary["edges"]) == (len(read.nodes), len(read.edges)) == (6, 7)
        assert summary["format"] == fmt and summary["as_of"] == str(AS_OF)
        assert summary["bytes"] == path.stat().st_size and summary["requirements"] == ["R1"]
        assert set(summary["risk_absent"]) == {"country", "goods"}
        assert read.header["as_of"] == str(AS_OF) and read.nodes["S4"]["reason"] == "NOT_SHARED"
    monkeypatch.chdir(data_dir)
    code, out = run("export", "-m", "M1", "-f", "jsonl", "--as-of", str(AS_OF))
    assert code == 0 and (data_dir / f"tiergraph-M1-{AS_OF}.jsonl").is_file()
    assert f"tiergraph-M1-{AS_OF}.jsonl" in out


def test_refusals_exit_2(data_dir):  # noqa: F811
    store = SqliteStore(data_dir / "data")
    store.write(forum())
    store.close()
    for args, field in (
        (["-m", "M9", "-f", "csv"], "--member"),  # the one wording of tiergraph/members.py
        (["-m", "S1", "-f", "csv"], "--member"),
        (["-m", "M1", "-f", "xml"], "--format"),
        (["-m", "M1", "-f", "csv", "--as-of", "2026-02-30"], "--as-of"),
        (["-m", "M1", "-f", "csv", "-o", str(data_dir / "nowhere" / "x.zip")], "--output"),
    ):
        code, out = run("export", *args, "--report", "json")
        assert code == 2, args
        assert json.loads(out)["error"]["field"] == field, out
