"""
`/metrics`, the Prometheus scrape endpoint: internal only.

With METRICS_TOKEN set, a scrape must send `Authorization: Bearer <token>`. Without it, only a
direct call from a loopback or private address is served: a request that came through the public
balancer carries X-Forwarded-For and is refused (the balancer also blocks the path on its public side).
"""

import hmac
import ipaddress

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

from apps.core.exceptions import error_body


@require_safe
@transaction.non_atomic_requests
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not scrape_allowed(request):
        return JsonResponse(error_body({"metrics": ["forbidden"]}), status=403, headers={"Cache-Control": "no-store"})
    if settings.PROMETHEUS_MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def scrape_allowed(request: HttpRequest) -> bool:
    if settings.METRICS_TOKEN:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token.encode(), settings.METRICS_TOKEN.encode())
    if "x-forwarded-for" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return address.is_loopback or address.is_private
