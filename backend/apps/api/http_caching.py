"""
HTTP caching of API responses.

- Every GET that can be cached computes a strong ETag from the stamps of the cached entries it shows
  (and, for a signed-in viewer, from the stamp of their own favorites and follows) before laying the
  viewer's flags over them, so a matching `If-None-Match` is answered 304 without a query or a body
  when the entries are cached.
- `Cache-Control` suits a CDN for anonymous reads (public, short shared max-age, a revalidation
  window), is private for signed-in ones, and `no-store` for writes and errors.
- `Vary: Authorization` (django-cors-headers adds `Origin`): no shared cache ever serves one user's
  view to another.
"""

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.caching.generations import Versions, cache_get, cache_set, versions_tag
from apps.caching.reads import USER_TOKENS, VIEWER, track_reads
from apps.caching.responses import canonical_path, response_storable
from apps.routing.router import replica_reads

_SAFE_METHODS = ("GET", "HEAD")
# How long the ETag of a rendered representation is remembered for its stamps (a few dozen bytes each).
REPRESENTATION_ETAG_TTL = 300
T = TypeVar("T")


def cached_response(
    request: Request,
    shared: Callable[[], T],
    render: Callable[[T], Response],
    *,
    kept_for_viewer: bool = False,
    representation_etag: bool = False,
) -> Response:
    """
    Answers a read made of cached entries: `shared()` reads what every viewer sees (through
    apps.caching.reads), `render(shared value)` lays the viewer's flags over it and builds the response.

    The ETag is made of the stamps behind the shared value and the viewer's own stamp, so a client's
    current `If-None-Match` is answered 304 before `render` (and its queries) runs. When part of the
    response bypassed the cache (the cache is down, the data came straight from the database, or from
    a replica that may lag behind the stamps), the ETag is made of the content instead, and the
    response is not stored.

    `kept_for_viewer`: a signed-in reader's response is kept for their token under those stamps and
    their tokens' (the first page of their feed, which they open again and again), and answered in
    front of Django while they hold (apps.caching.responses).

    `representation_etag`: the response's ETag is `representation_etag_of` its content instead
    (`with_representation_etag`), the one a conditional write compares with `If-Match`.
    """
    viewer_stamps = [VIEWER.key(request.user.pk)] if request.user.is_authenticated else []
    kept = kept_for_viewer and request.user.is_authenticated
    if kept:  # kept per token: made of the user's tokens too (apps.caching.responses)
        viewer_stamps.append(USER_TOKENS.key(request.user.pk))
    with track_reads(extra=viewer_stamps) as tracker:
        value = shared()
    client_etags = parse_etags(request.headers.get("If-None-Match", ""))
    if representation_etag:
        # The representation's ETag is of its content, known only once rendered; but the same stamps
        # (the viewer's among them) make the same representation, so the ETag last rendered for them
        # answers a matching If-None-Match with 304 before `render` and its queries.
        rendered_key = _representation_etag_key(request, tracker.stamps) if tracker.complete else None
        if rendered_key is not None and client_etags:
            known = cache_get(rendered_key)
            if known is not None and known in client_etags:
                response = Response(status=status.HTTP_304_NOT_MODIFIED)
                response["ETag"] = known
                return response
        reads_before = replica_reads()
        response = with_representation_etag(request, render(value))
        # Unless a replica (which may lag behind the stamps) answered part of it: remembered for these
        # stamps, and stored for the next anonymous reader as below.
        if rendered_key is not None and replica_reads() == reads_before and response.has_header("ETag"):
            cache_set(rendered_key, response["ETag"], REPRESENTATION_ETAG_TTL)
            if not request.user.is_authenticated:
                response_storable(request, dict(tracker.stamps))
        return response
    if tracker.complete:
        etag = _etag(request, tracker.stamps)
        if etag in client_etags:
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
            response["ETag"] = etag
            return response
    reads_before = replica_reads()
    response = render(value)
    if not tracker.complete or replica_reads() > reads_before:
        # Rows read from a replica may lag behind the stamps read just now: an ETag made of the stamps
        # could label an old response as the new one, for good. Label it by its content.
        etag = _content_etag(response)
        if etag in client_etags and response.status_code == status.HTTP_200_OK:
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
    elif not request.user.is_authenticated or kept:
        # Kept whole, as the client receives it, for the next anonymous reader of this path, or the
        # next request with the same token (apps.caching.responses: the WSGI layer in front of
        # Django stores it on its way out).
        response_storable(request, dict(tracker.stamps))
    if response.status_code in (status.HTTP_200_OK, status.HTTP_304_NOT_MODIFIED):
        response["ETag"] = etag
    return response


# ------------------------------------------------------------------------------
# ETags of representations, for conditional writes (v2: If-Match)
# ------------------------------------------------------------------------------
# Made anew with each response, so never part of what a representation's version is.
_VOLATILE_FIELDS = frozenset({"token"})


def representation_etag_of(data: Any) -> str:
    """
    A strong ETag of a response body `{"<resource>": {...}}`: the SHA-256 of its canonical JSON, but
    the fields made anew with each response (the user's fresh token). A GET shows it and a conditional
    write recomputes it from the locked row, so both must build the body the same way.
    """
    if isinstance(data, dict):
        data = {
            name: {k: v for k, v in part.items() if k not in _VOLATILE_FIELDS} if isinstance(part, dict) else part
            for name, part in data.items()
        }
    digest = hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return f'"{digest[:32]}"'


def with_representation_etag(request: Request, response: Response) -> Response:
    """`response` with its `representation_etag_of`; a GET whose If-None-Match holds it is answered 304."""
    if response.status_code not in (status.HTTP_200_OK, status.HTTP_201_CREATED) or response.data is None:
        return response
    etag = representation_etag_of(response.data)
    if request.method in _SAFE_METHODS and etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    response["ETag"] = etag
    return response


def if_match_holds(request: Request, current: Callable[[], Response]) -> bool:
    """
    Whether the request's `If-Match` (none, or `*`, holds too) names the ETag of `current()`, the
    resource's representation as it is now: the caller reads it under a lock of its row, inside the
    write's transaction, so it is the committed state that the write will replace.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return True
    # Strong comparison (RFC 9110 13.1.1): a weak tag never matches.
    wanted = [tag for tag in parse_etags(header) if not tag.startswith("W/")]
    return representation_etag_of(current().data) in wanted


def _representation_etag_key(request: Request, versions: Versions) -> str:
    """Where the representation ETag last rendered for this path, viewer and stamps is remembered."""
    return f"http:representation-etag:{_etag(request, versions)}"


def _etag(request: Request, versions: Versions) -> str:
    viewer = request.user.pk if request.user.is_authenticated else "-"
    # The canonical path: `?r=<random>` or a reordered query is the same resource (apps.caching.responses).
    path = canonical_path(request) or request.get_full_path()
    digest = hashlib.sha256(f"{path}|{viewer}|{versions_tag(versions)}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def _content_etag(response: Response) -> str:
    digest = hashlib.sha256(orjson.dumps(response.data, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return f'W/"{digest[:32]}"'


class CacheHeadersMiddleware:
    """Sets Cache-Control and Vary on API responses that did not choose their own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.public = {
            "public": True,
            "max_age": settings.HTTP_CACHE_MAX_AGE,
            "s_maxage": settings.HTTP_CACHE_S_MAXAGE,
            "stale_while_revalidate": settings.HTTP_CACHE_STALE_WHILE_REVALIDATE,
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/"):
            return response
        patch_vary_headers(response, ["Authorization"])
        if response.has_header("Cache-Control"):
            return response
        cacheable = request.method in _SAFE_METHODS and response.status_code in (200, 304)
        if not cacheable:
            response["Cache-Control"] = "no-store"
        elif "authorization" in request.headers:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, **self.public)
        return response
