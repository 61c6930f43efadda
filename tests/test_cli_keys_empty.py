"""`tiergraph keys list` on a store that holds no key yet says so and how to make one,
rather than print an empty table (JSON: an empty list)."""

from __future__ import annotations

from tests.test_cli import data_dir, run, run_json  # noqa: F401 - data_dir is a fixture


def test_keys_list_on_a_store_without_keys_says_how_to_make_one(data_dir):  # noqa: F811
    folder = data_dir / "net"
    folder.mkdir()
    (folder / "organisations.csv").write_text("id,kind,name,country\nM-ACME,member,Acme,NL\n")
    run_json("load", str(folder))
    code, out = run("keys", "list")
    assert code == 0
    assert " ".join(out.split()) == (
        "no API keys yet: make one with tiergraph keys create --role ROLE [--org ID]"
    )
    assert run_json("keys", "list") == {"keys": []}
