"""
Probes for the load balancer and the orchestrator, outside /api: unversioned, no authentication,
no throttling, never cached, and no database transaction (ATOMIC_REQUESTS would open one).

- `/healthz`: the process is alive and serving. No I/O at all, so it is safe to poll every second.
- `/readyz`: the database, the cache and the broker are reachable; 503 naming the failing ones.
"""

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from apps.core.exceptions import error_body
from apps.health.selectors import readiness_get


def no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    return no_store(JsonResponse({"status": "ok"}))


@require_safe
@transaction.non_atomic_requests
def readyz(request: HttpRequest) -> JsonResponse:
    readiness = readiness_get()
    if readiness.ready:
        return no_store(JsonResponse({"status": "ok", **readiness.parts}))
    body = {
        "status": "unavailable",
        **readiness.parts,
        **error_body({name: ["unreachable"] for name in readiness.failing}),
    }
    return no_store(JsonResponse(body, status=503))
