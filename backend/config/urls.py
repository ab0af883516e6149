"""
URLs. The API lives under /api/<version>/ (DRF URL-path versioning; the versions are declared in
apps.api.versions: v1, v2); UnversionedApiMiddleware serves v1 under /api/ too, for RealWorld
clients. No trailing slashes.
"""

from django.contrib import admin
from django.db import transaction
from django.urls import URLPattern, URLResolver, include, path, re_path, register_converter
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView

from apps.api.converters import IdConverter, PathSegmentConverter
from apps.api.docs import VersionedRedocView, VersionedSwaggerView
from apps.api.views import not_found
from apps.observability.views import metrics_view

register_converter(IdConverter, "id")
register_converter(PathSegmentConverter, "segment")

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("apps.users.urls")),
    path("", include("apps.profiles.urls")),
    path("", include("apps.feeds.urls")),  # before articles: "feed" is not a slug
    path("", include("apps.articles.urls")),
    path("", include("apps.comments.urls")),
    path("", include("apps.tags.urls")),
    path("", include("apps.notifications.urls")),
    # Each version's schema and docs (apps.api.docs: a switcher between the versions).
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", VersionedSwaggerView.as_view(url_name="schema"), name="docs"),
    path("redoc/", VersionedRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    re_path(r"^api/(?P<version>v[0-9]+)/", include(api_patterns)),
    path("admin/", admin.site.urls),
    # Outside /api: probes for the balancer, metrics for Prometheus (internal only).
    path("", include("apps.health.urls")),
    path("metrics", metrics_view, name="metrics"),
    # Last: every other URL. Without it, a debug server answers Django's HTML technical 404, which
    # lists every URL pattern; handler404 below applies only when DEBUG is off. An empty route keeps
    # the metrics' `<unmatched>` label, and the view needs no CSRF token and no transaction.
    re_path(r"", transaction.non_atomic_requests(csrf_exempt(not_found)), name="not-found"),
]

handler404 = "apps.api.views.not_found"
handler500 = "apps.api.views.server_error"
