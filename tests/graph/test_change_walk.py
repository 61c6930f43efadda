"""Neo4jStore.changes_since's walk over the links CHANGES_AFTER read (no Neo4j
needed): from the asked version to the current one, or None."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graph.neo4j_store import _walk


def links(tokens: list[str]) -> list[list]:
    return [[a, b, f"payload {b}".encode()] for a, b in zip(tokens, tokens[1:], strict=False)]


def test_the_chain_to_the_current_version_and_not_beyond():
    read = links(["v0", "v1", "v2", "v3"])
    assert [t for t, _ in _walk("v0", "v2", read)] == ["v1", "v2"]  # v3 came after
    assert _walk("v2", "v2", read) == []
    assert _walk("v0", "v9", read) is None  # a write kept no change (bulk)
    assert _walk("vX", "v3", read) is None  # not kept


def test_two_changes_from_one_version_are_no_chain():
    read = links(["v0", "v1", "v2"]) + [["v1", "w2", b""]]
    assert _walk("v0", "v2", read) is None


@given(
    n=st.integers(0, 12),
    start=st.integers(0, 12),
    end=st.integers(0, 12),
    order=st.randoms(use_true_random=False),
)
def test_any_order_of_the_links_walks_the_same(n, start, end, order):
    tokens = [f"v{i}" for i in range(n + 1)]
    read = links(tokens)
    order.shuffle(read)
    found = _walk(f"v{start}", f"v{end}", read)
    if start == end:  # at the current version already, kept or not
        assert found == []
    elif start < end <= n:
        assert found is not None
        assert [t for t, _ in found] == tokens[start + 1 : end + 1]
        assert [p for _, p in found] == [
            f"payload {t}".encode() for t in tokens[start + 1 : end + 1]
        ]
    else:
        assert found is None
