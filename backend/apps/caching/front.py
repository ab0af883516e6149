"""
The ASGI application uvicorn serves (config.asgi): stored responses answered on the event loop.

Django's views are sync, so the project is a WSGI application (config.wsgi: Django's, behind the
`StoredResponses` layer) that uvicorn runs through a2wsgi, whose every request is handed to a thread
of a pool and its answer handed back to the event loop. For a request that Django computes, that
hand-off is a small part of the cost; for one answered from a stored response (a hot anonymous
list, a reader's feed page: one Redis round trip and a few microseconds of Python), it was most of
it (docs/benchmarks.md, "Where the CPU goes"), and with 32 connections on 2 cores, the queue behind
the pool made the p99.

`StoredResponsesFront` asks the layer for a stored answer first, on the event loop
(`StoredResponses.stored_answer`: no waiting, no Django), and sends it; anything else goes to
a2wsgi's threads and the layer as before, marked as looked up so that a miss costs one lookup, not
two. Blocking the loop on a Redis round trip is the point, not an oversight: it is shorter than the
thread hand-off it replaces, and Redis down costs one refused connection (the cache's own timeouts),
after which the request takes the full path.
"""

import io
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi import build_environ

if TYPE_CHECKING:  # at run time config.asgi hands it over, once Django is set up
    from apps.caching.responses import StoredResponses

Scope = dict[str, Any]
Receive = Any
Send = Any
ASGIApplication = Callable[[Scope, Receive, Send], Awaitable[None]]


class StoredResponsesFront:
    """An ASGI application: `stored`'s current stored responses from the loop, the rest through `threads` threads."""

    def __init__(self, stored: "StoredResponses", *, threads: int) -> None:
        self.stored = stored
        self.threaded: ASGIApplication = WSGIMiddleware(stored, workers=threads)  # type: ignore[arg-type, assignment]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            answer = self.stored.stored_answer(build_environ(scope, io.BytesIO()))  # type: ignore[arg-type]
            if answer is not None:
                status_line, headers, body = answer
                await send(
                    {
                        "type": "http.response.start",
                        "status": int(status_line[:3]),
                        # Lowercase names, as a2wsgi sends Django's: the same header lines either way.
                        "headers": [
                            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        # Lifespan too: a2wsgi's answers its startup and shutdown.
        await self.threaded(scope, receive, send)
