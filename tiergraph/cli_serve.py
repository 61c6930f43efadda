"""`tiergraph serve`: the HTTP service (api.app) under uvicorn."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tiergraph.console import PORT_IN_USE, CliError, err, out
from tiergraph.stores import check_store_exists

if TYPE_CHECKING:
    from tiergraph.settings import Settings


def check_can_listen(host: str, port: int, field: str) -> None:
    """Refuse at once, in one line, an address uvicorn could not listen on (uvicorn
    would exit with 3, the code of a database that does not answer). `field`: where
    the port came from, `--port` or `TIERGRAPH_API_PORT`."""
    if not 1 <= port <= 65535:
        raise CliError(
            f"{field} must be a whole number from 1 to 65535, not {port}",
            code="bad_parameter",
            field=field,
        )
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise CliError(
            f"--host: {host!r} is not an address here ({exc.strerror})",
            code="bad_parameter",
            field="--host",
        ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            hint = "pass another --port" if field == "--port" else "pass --port or set " + field
            raise CliError(
                f"cannot listen on {host}:{port}: {exc.strerror}; {hint} (another program, "
                "or another `tiergraph serve`, may hold it)",
                code="port_in_use",
                field=field,
                exit=PORT_IN_USE,
            ) from None


def check_store_opens(settings: Settings) -> None:
    """Open and close the store once before starting several processes: uvicorn's
    supervisor stops when one cannot start, but exits 0 then (one process exits 3).
    A store that does not answer ends the command as any command's would."""
    from tiergraph.bootstrap import open_store

    open_store(settings).close()


def serve(
    host: Annotated[
        str | None,
        typer.Option("--host", help="address to listen on (default: TIERGRAPH_API_HOST)"),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", help="port to listen on (default: TIERGRAPH_API_PORT)", min=1, max=65535
        ),
    ] = None,
    reload: Annotated[
        bool, typer.Option("--reload", help="restart when the code changes (development)")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="server processes sharing the port (default: TIERGRAPH_API_WORKERS, 1)",
            min=1,
        ),
    ] = None,
    access_log: Annotated[
        bool | None,
        typer.Option(
            "--access-log/--no-access-log",
            help="a line per request on the log (default: TIERGRAPH_API_ACCESS_LOG, off)",
        ),
    ] = None,
) -> None:
    """Serve the GraphQL API and /health on the configured store."""
    from tiergraph.settings import Settings

    settings = Settings()
    if access_log is not None:
        settings = settings.model_copy(update={"api_access_log": access_log})
    run_server(settings, host=host, port=port, reload=reload, workers=workers)


def run_server(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    reload: bool = False,
    workers: int | None = None,
    stdout_taken: bool = False,
) -> None:
    """Serve until stopped. `stdout_taken`: stdout holds a command's JSON, so the line
    saying where and uvicorn's access log go to stderr."""
    import uvicorn

    banner = err if stdout_taken else out
    field = "TIERGRAPH_API_PORT" if port is None else "--port"
    host = settings.api_host if host is None else host
    port = settings.api_port if port is None else port
    workers = settings.api_workers if workers is None else workers
    if reload and workers > 1:
        raise CliError(
            "--reload restarts one process: leave --workers out (or 1) with it",
            code="bad_parameter",
            field="--workers",
        )
    check_can_listen(host, port, field)
    check_store_exists(settings)
    if workers > 1:
        check_store_opens(settings)
    where = settings.neo4j_uri if settings.store == "neo4j" else str(settings.data_dir)
    processes = f", {workers} processes" if workers > 1 else ""
    banner.print(
        f"tiergraph starting on http://{host}:{port}/graphql "
        f"(store: {settings.store}, {where}{processes}); it answers once "
        f"http://{host}:{port}/health says ok (uvicorn logs that startup is complete)",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    # The app reads the same settings when uvicorn builds it (factory) in each process.
    try:
        uvicorn.run(
            "api.app:served_app",
            factory=True,
            host=host,
            port=port,
            reload=reload,
            workers=workers,
            log_config=_log_config(stdout_taken),
            # A line per request cost 15% of a read's CPU (0.35 of 2.26 ms, bench/api.py):
            # off unless asked for, as gunicorn's; errors are logged either way.
            access_log=settings.api_access_log,
        )
    except SystemExit as exc:
        if exc.code == 3:  # uvicorn's "startup failed": its log above says why
            raise CliError(
                f"the server did not start on {host}:{port} (see the log above)",
                code="server_failed",
                exit=PORT_IN_USE,
            ) from None
        raise


def _log_config(stdout_taken: bool) -> dict[str, Any]:
    """uvicorn's own logging, its access log on stderr when stdout is taken."""
    from copy import deepcopy

    from uvicorn.config import LOGGING_CONFIG

    config = deepcopy(LOGGING_CONFIG)
    if stdout_taken:
        config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    # The whole builds of what a process keeps (graph.whole_builds): when, in which
    # process, why and how long; an operator's clue to a stall.
    config["formatters"]["builds"] = {"format": "%(asctime)s pid %(process)d %(message)s"}
    config["handlers"]["builds"] = {
        "formatter": "builds",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    # The slow requests and where their time went (api.slow_requests), alike.
    for logger in ("tiergraph.builds", "tiergraph.slow"):
        config["loggers"][logger] = {"handlers": ["builds"], "level": "INFO", "propagate": False}
    return config
