"""
One access log line and the request metrics for every request.

The route is the URL pattern that matched, written as in the OpenAPI document
(`/api/articles/{slug}`), so that neither log analysis nor Prometheus labels grow with the number of
articles; requests that match no route share the label `<unmatched>`.
"""

import logging
import re
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from apps.observability import metrics

access_logger = logging.getLogger("conduit.access")

UNMATCHED_ROUTE = "<unmatched>"
_VERSION_PREFIX = re.compile(r"^\^?api/\(\?P<version>[^)]*\)/")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
_KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# Polled every second by the balancer and by Prometheus: their successes are logged at DEBUG only.
_QUIET_ROUTES = {"/healthz", "/readyz", "/metrics"}


def route_label(request: HttpRequest) -> str:
    """The matched URL pattern, `/api/...` for every API version; `<unmatched>` when no route matched."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return UNMATCHED_ROUTE
    route = _VERSION_PREFIX.sub("api/", match.route)
    return "/" + _CONVERTER.sub(r"{\1}", route).lstrip("^").rstrip("$")


def request_record(*, method: str, route: str, path: str, status: int, duration: float) -> None:
    """
    Writes the access log line of one answered request and records its metrics (requests by status,
    the latency histogram). `method` is the request's, `route` a `route_label`, `duration` in seconds.
    """
    method = method if method in _KNOWN_METHODS else "OTHER"
    metrics.http_request_duration.labels(method=method, route=route).observe(duration)
    metrics.http_requests.labels(method=method, route=route, status=str(status)).inc()
    duration_ms = round(duration * 1000, 1)
    quiet = route in _QUIET_ROUTES and status == 200
    access_logger.log(
        logging.DEBUG if quiet else logging.INFO,
        "%s %s %s %sms",
        method,
        path,
        status,
        duration_ms,
        extra={"method": method, "route": route, "path": path, "status": status, "duration_ms": duration_ms},
    )


class AccessLogMiddleware:
    """Logs `method route status duration` per request and records the latency histogram."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        request_record(
            method=request.method or "",
            route=route_label(request),
            path=request.path,
            status=response.status_code,
            duration=time.perf_counter() - started,
        )
        return response
