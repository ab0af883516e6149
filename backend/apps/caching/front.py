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
(`StoredResponses.current_answer`: no Django), and sends it; anything else goes to a2wsgi's threads
and the layer as before. A miss is settled here too, so that it costs one lookup, not two: either
this request claims the rebuild (the layer then answers and stores it in a thread), or another
request holds the claim and this one waits for its stored response here, polling with
`asyncio.sleep`, where waiting holds no thread; only if that rebuild is not stored in time does it go
to a thread for its own answer.

Blocking the loop on a Redis round trip is the point, not an oversight: it is shorter than the
thread hand-off it replaces. With Redis down the connection is refused at once; with Redis hung, the
loop waits once for the cache's socket timeout (0.25 s), then the cache's breaker
(apps.caching.generations) skips it for a few seconds and every request takes the full path.
"""

import asyncio
import io
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi import build_environ

from apps.caching.responses import (
    REBUILD_SCOPE_KEY,
    Answer,
    StoredResponses,
    rebuild_wait_pauses,
)

Scope = dict[str, Any]
Receive = Any
Send = Any
ASGIApplication = Callable[[Scope, Receive, Send], Awaitable[None]]


class StoredResponsesFront:
    """An ASGI application: `stored`'s current stored responses from the loop, the rest through `threads` threads."""

    def __init__(self, stored: StoredResponses, *, threads: int) -> None:
        self.stored = stored
        self.threaded: ASGIApplication = WSGIMiddleware(stored, workers=threads)  # type: ignore[arg-type, assignment]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            answer = await self._stored_answer(scope)
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

    async def _stored_answer(self, scope: Scope) -> Answer | None:
        """
        The stored answer to this request, or None, having marked the scope for the WSGI layer: this
        request rebuilds the response (it holds the claim), or waited for another's rebuild in vain.
        """
        started = time.perf_counter()
        environ = cast(dict[str, Any], build_environ(scope, io.BytesIO()))  # type: ignore[arg-type]
        found = self.stored.response_key(environ)
        if found is None:
            return None
        path, key = found
        answer = self.stored.current_answer(environ, path, key, started)
        if answer is not None:
            return answer
        if self.stored.claim_rebuild(key):
            scope[REBUILD_SCOPE_KEY] = True
            return None
        # Another request is rebuilding it: wait here, where waiting holds no thread (after a write,
        # every reader of a hot page arrives in this window, and a thread each would queue the rest).
        for pause in rebuild_wait_pauses():
            await asyncio.sleep(pause)
            answer = self.stored.current_answer(environ, path, key, started, counted=False)
            if answer is not None:
                return answer
        scope[REBUILD_SCOPE_KEY] = False
        return None
