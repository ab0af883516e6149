"""
Case (a), the ceiling: a bare ASGI app that answers every request with the bytes of a 20-article
page (the file named by BENCH_PAGE_FILE), under the same uvicorn flags as the project.

    uvicorn tools.bench.bare_asgi:app --http httptools --loop uvloop --workers 2
"""

import os
from pathlib import Path
from typing import Any

BODY = Path(os.environ["BENCH_PAGE_FILE"]).read_bytes()
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
