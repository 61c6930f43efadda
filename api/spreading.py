"""Spreading keep-alive connections over the server's processes (docs/api.md,
"Performance").

`tiergraph serve --workers N` runs N processes on one listening socket: a new
connection goes to whichever process accepts it first, and then stays there for
as long as the client keeps it alive. Clients that hold a few long keep-alive
connections (a dashboard, a script, a proxy) can so land mostly on one process
while the others idle: measured with 20 clients on 2 processes, one process
answered 85% of the requests and the throughput halved.

`KeepAliveLimit` answers a connection's `requests`-th request with
`Connection: close` (as nginx's `keepalive_requests` does). The client opens a
new connection, which the least busy process tends to accept first (a busy one
is computing, not accepting), so the load spreads again within seconds. HTTP
clients reconnect on their own; nothing is lost, a request is never cut.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Connections counted at once; beyond, the longest unseen is forgotten (it has
# most likely closed: a forgotten live one just starts counting again).
TRACKED = 4096


class KeepAliveLimit:
    """Pure ASGI middleware: at most `requests` HTTP requests per connection
    (0: no limit). A connection is known by its client address and port."""

    def __init__(self, app: ASGIApp, requests: int) -> None:
        self.app = app
        self.requests = requests
        self.served: OrderedDict[Any, int] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] != "http" or not self.requests or client is None:
            await self.app(scope, receive, send)
            return
        connection = (*client, *(scope.get("server") or ()))  # lists under some servers
        count = self.served.pop(connection, 0) + 1
        last = count >= self.requests
        if not last:
            self.served[connection] = count  # moved to the end: most recently seen
            while len(self.served) > TRACKED:
                self.served.popitem(last=False)

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing if last else send)
