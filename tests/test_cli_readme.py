"""The README's command lines, as a new user follows them in order: every folder a
`load` or `match` line reads is one an earlier line makes (the walk found
`match suppliers/` after `generate net` and `generate brands`)."""

from __future__ import annotations

import shlex
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def command_lines() -> list[list[str]]:
    lines = []
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("$ tiergraph "):
            words = shlex.split(line[2:].split("#")[0])
            lines.append(words[1:])
    return lines


def test_every_folder_read_is_made_by_an_earlier_line():
    made: set[str] = set()
    read = []
    for words in command_lines():
        if words[0] == "generate":
            made.add(words[1].rstrip("/"))
        elif words[0] in ("load", "match", "import"):
            paths = [w.rstrip("/") for w in words[1:] if not w.startswith("-")]
            read.append(words)
            assert set(paths) <= made, f"`tiergraph {' '.join(words)}` reads a folder no line made"
    assert read, "the README shows loads"
