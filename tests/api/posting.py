"""A GraphQL poster shared by the API tests that watch what a query does."""

from __future__ import annotations


def no_error_poster(client):  # type: ignore[no-untyped-def]
    """`post(query) -> data` over a TestClient, failing on any GraphQL error."""

    def post(query: str) -> dict:
        body = client.post("/graphql", json={"query": query}).json()
        assert "errors" not in body, body
        return body["data"]

    return post


def count_version_reads(store) -> list[str]:  # type: ignore[no-untyped-def]
    """The versions `store.graph_version` returns from now on, listed as it is called
    (the store's own method replaced on this object only), and those a Neo4j store
    reads with the changes since its row copy's (one Bolt read too)."""
    reads: list[str] = []
    read_version = store.graph_version

    def counted() -> str:
        version = read_version()
        reads.append(version)
        return version

    store.graph_version = counted
    if hasattr(store, "_version_and_changes"):  # Neo4j with a board: its own read
        read_with_changes = store._version_and_changes

        def counted_with_changes():  # type: ignore[no-untyped-def]
            found = read_with_changes()
            reads.append(found.version)
            return found

        store._version_and_changes = counted_with_changes
    return reads
