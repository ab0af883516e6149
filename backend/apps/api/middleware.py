import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from apps.api.problems import error_json_response
from apps.api.versions import deprecation_headers

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


class RequestSizeLimitMiddleware:
    """
    Refuses a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE with 413, in the API's error envelope.

    Django enforces that limit only when `request.body` is read; DRF's parsers read the stream
    instead, so without this check a JSON body of any size would be read into memory.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            errors = {"request": [f"is too large (at most {limit} bytes)"]}
            return error_json_response(request.path, 413, errors, headers={"Cache-Control": "no-store"})
        return self.get_response(request)


class DeprecationHeadersMiddleware:
    """
    Adds the `Deprecation`, `Sunset` and `Link` headers of a deprecated version (apps.api.versions) to
    every response of it, errors included. Outside the size limit, so that its 413 has them too;
    responses stored in front of Django get the current ones from apps.caching.responses.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in deprecation_headers(request.path):
            response[name] = value
        return response
