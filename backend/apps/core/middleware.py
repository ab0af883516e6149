import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_VERSIONED = re.compile(r"^/api/v\d+(/|$)")


class UnversionedApiMiddleware:
    """
    Serves the current API version unversioned: `/api/articles` is handled as `/api/v1/articles`.

    RealWorld clients and the official suite call `/api/...`; the URLconf only knows `/api/<version>/`,
    so the schema, the URL names and DRF's URL-path versioning see a single tree.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefix = f"/api/{settings.REST_FRAMEWORK['DEFAULT_VERSION']}/"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/api/") and not _VERSIONED.match(path):
            request.path_info = self.prefix + path.removeprefix("/api/")
        return self.get_response(request)
