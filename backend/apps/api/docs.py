"""
Swagger UI and ReDoc for each API version (`/api/<version>/docs/`, `/api/<version>/redoc/`), each
page with links to the same page of the other versions: the version switcher. The assets are
drf-spectacular-sidecar's, served by the app itself (no CDN).
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.versions import VERSIONS, api_version


def _with_switcher(request: Request, response: Response, page: str) -> Response:
    current = api_version(request).name
    response.data["versions"] = [
        {"name": name, "url": f"/api/{name}/{page}/", "current": name == current} for name in VERSIONS
    ]
    return response


class VersionedSwaggerView(SpectacularSwaggerView):
    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _with_switcher(request, super().get(request, *args, **kwargs), "docs")


class VersionedRedocView(SpectacularRedocView):
    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _with_switcher(request, super().get(request, *args, **kwargs), "redoc")
