"""The slow-request log: a request that took more than SLOW_SECONDS is logged at
WARNING on the "tiergraph.slow" logger with its operation and where its time went
(graph.request_parts: waiting for the writers' turn, inside the transaction, the
WAL checkpoint, matching, whole builds, catch-ups; the thread CPU of those parts
beside their wall time, which tells waiting for the GIL or the disk from work), and
what the whole process did meanwhile (garbage collections, projection cache writes,
the keeper's turns: mutations.keeper). What the parts do not cover
is the rest: queued for a thread (the writer thread, the default pool), on the event
loop, the GIL between parts.
"""

from __future__ import annotations

import logging
import re
import time

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph import request_parts

log = logging.getLogger("tiergraph.slow")
SLOW_SECONDS = 0.25
BODY_KEPT = 64 * 1024  # bytes of a body kept to name its operation


FIRST_FIELD = re.compile(
    r"{\s*(?:\w+\s*:\s*)?(\w+)"
)  # a document's first field (its alias left out)


def operation_name(body: bytes) -> str:
    """The request's operationName, else its document's first field."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "(not JSON)"
    if type(data) is not dict:
        return "(not a GraphQL request)"
    name, query = data.get("operationName"), data.get("query")
    if type(name) is str:
        return name
    found = FIRST_FIELD.search(query) if type(query) is str else None
    return found.group(1) if found else "(unnamed)"


def describe(
    name: str, seconds: float, parts: request_parts.Parts, process: dict[str, float]
) -> str:
    noted = " ".join(f"{part}={spent * 1000:.1f}" for part, spent in parts.seconds.items())
    rest = seconds - sum(parts.seconds.values())
    beside = " ".join(f"{part}={spent * 1000:.1f}" for part, spent in process.items() if spent)
    return (
        f"slow request {name} in {seconds * 1000:.1f} ms: {noted or 'nothing noted'}"
        f" rest={rest * 1000:.1f} (ms); noted parts' thread CPU {parts.cpu * 1000:.1f}"
        f" of {parts.wall * 1000:.1f} ms wall; meanwhile in the process:"
        f" {beside or 'no collection, no cache write, no keeper turn'} (ms)"
    )


class SlowRequests:
    """ASGI middleware: times each HTTP request and logs the slow ones."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        request_parts.time_collections()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        parts, process = request_parts.begin(), request_parts.process_seconds()
        start, body = time.perf_counter(), bytearray()

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(body) < BODY_KEPT:
                body.extend(message.get("body", b"")[: BODY_KEPT - len(body)])
            return message

        try:
            await self.app(scope, receiving, send)
        finally:
            seconds = time.perf_counter() - start
            if seconds > SLOW_SECONDS:
                name = operation_name(bytes(body)) if body else scope.get("path", "")
                now = request_parts.process_seconds()
                meanwhile = {part: now[part] - process.get(part, 0.0) for part in now}
                log.warning("%s", describe(name, seconds, parts, meanwhile))
