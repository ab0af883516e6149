"""
The project's WSGI application behind a2wsgi with BENCH_WSGI_THREADS threads per worker, served as
ASGI. `uvicorn --interface wsgi` does the same with a2wsgi's default of 10 threads and no option to
change it; this module lets the benchmark compare thread counts (run.py --threads).
"""

import os

from a2wsgi import WSGIMiddleware

from config.wsgi import application as wsgi_application

application = WSGIMiddleware(
    wsgi_application,  # type: ignore[arg-type]  # a WSGI app: django-stubs types its response as HttpResponseBase
    workers=int(os.environ.get("BENCH_WSGI_THREADS", "10")),
)
