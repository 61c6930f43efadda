"""GET /exports/{id}: a finished export's file, for the member's own people.

The same Authorization header as GraphQL and its rate; every refusal is the API's
coded error body: 401 without a valid key, 404 NOT_FOUND alike for an unknown id,
another member's export, a key of a role without a member's view (supplier,
operator) and an expired file; 409 NOT_READY for the member's own export that is
not done yet (or failed)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from starlette.responses import Response

from access.errors import NotFound
from access.principal import Principal
from api.errors import Refused
from exports import service

NOT_READY_STATUS = 409


def install_download(app: FastAPI, principal_of: Callable[[Request], Awaitable[Principal]]) -> None:
    @app.get("/exports/{id}")
    async def download(id: str, request: Request) -> Response:
        principal = await principal_of(request)
        store = request.app.state.store
        try:
            found = await asyncio.to_thread(
                service.export_download, principal=principal, store=store, id=id
            )
        except NotFound as exc:
            raise Refused(404, exc.code, str(exc)) from None
        except service.NotReady as exc:
            raise Refused(NOT_READY_STATUS, exc.code, str(exc)) from None
        return FileResponse(found.path, media_type=found.media_type, filename=found.file_name)
