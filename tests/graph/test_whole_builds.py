"""graph.whole_builds: builds inside a summarised() block are counted and summed up
in one line; a block that fails says so instead of claiming it is done."""

from __future__ import annotations

import pytest

from graph import whole_builds


def messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "tiergraph.builds"]


def test_builds_in_a_block_are_one_line_by_kind_and_counted(caplog):
    before = whole_builds.counts()
    with caplog.at_level("INFO", logger="tiergraph.builds"):
        with whole_builds.summarised("ready to serve"):
            for country in ("GH", "CI", "ID"):
                with whole_builds.timed("matching index", "first", country):
                    pass
            with whole_builds.timed("projection", "first"):
                pass
    (line,) = messages(caplog)
    assert line.startswith("ready to serve after ")
    assert "matching index x3 " in line and "(slowest " in line
    assert "; projection " in line  # by kind, in the order first made
    after = whole_builds.counts()
    assert after["matching index"] - before.get("matching index", 0) == 3
    assert after["projection"] - before.get("projection", 0) == 1


def test_a_failed_block_does_not_claim_to_be_ready(caplog):
    with caplog.at_level("INFO", logger="tiergraph.builds"):
        with pytest.raises(RuntimeError):
            with whole_builds.summarised("ready to serve"):
                with whole_builds.timed("projection", "first"):
                    pass
                raise RuntimeError("the store went away")
        with whole_builds.timed("projection", "changes not kept"):
            pass  # after the block: a line of its own again
    first, second = messages(caplog)
    assert first.startswith("stopped by an error (not ready to serve) after ")
    assert "projection " in first
    assert second.startswith("whole build of the projection (changes not kept) in ")
