"""docs/schema.graphql is the schema the API serves."""

from __future__ import annotations

from api.schema_doc import SCHEMA_FILE, main, schema_sdl


def test_docs_schema_graphql_is_up_to_date():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_sdl(), (
        "docs/schema.graphql is out of date: run `python -m api.schema_doc`"
    )


def test_check_fails_on_a_stale_file(monkeypatch, tmp_path, capsys):
    stale = tmp_path / "schema.graphql"
    stale.write_text("type Query { health: String! }\n")
    monkeypatch.setattr("api.schema_doc.SCHEMA_FILE", stale)
    assert main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main([]) == 0 and main(["--check"]) == 0
    assert stale.read_text() == schema_sdl()
