"""A GraphQL poster shared by the API tests that watch what a query does."""

from __future__ import annotations


def no_error_poster(client):  # type: ignore[no-untyped-def]
    """`post(query) -> data` over a TestClient, failing on any GraphQL error."""

    def post(query: str) -> dict:
        body = client.post("/graphql", json={"query": query}).json()
        assert "errors" not in body, body
        return body["data"]

    return post
