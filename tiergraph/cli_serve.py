"""`tiergraph serve`: the HTTP service (api.app) under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from tiergraph.console import out
from tiergraph.settings import Settings


def serve(
    host: Annotated[
        str | None,
        typer.Option("--host", help="address to listen on (default: TIERGRAPH_API_HOST)"),
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="port to listen on (default: TIERGRAPH_API_PORT)")
    ] = None,
    reload: Annotated[
        bool, typer.Option("--reload", help="restart when the code changes (development)")
    ] = False,
) -> None:
    """Serve the GraphQL API and /health on the configured store."""
    import uvicorn

    settings = Settings()
    host = settings.api_host if host is None else host
    port = settings.api_port if port is None else port
    where = settings.neo4j_uri if settings.store == "neo4j" else str(settings.data_dir)
    out.print(
        f"tiergraph serving on http://{host}:{port}/graphql (store: {settings.store}, {where})",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    # The app reads the same settings when uvicorn builds it (factory) in its process.
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, reload=reload)
