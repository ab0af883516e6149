"""
Rendered responses of anonymous API reads, answered before URL resolving and DRF.

Most traffic is anonymous reads of a few hot pages, and the data behind them is already cached; what
such a request still costs is Python: Django's middleware and URL resolving, DRF's dispatch, the
validation of its query parameters, the rendering (docs/benchmarks.md profiles it). So:

- when `cached_response` (apps.api.http_caching) answers an anonymous GET with 200, it stores the
  rendered bytes (up to RESPONSE_CACHE_MAX_BYTES) under the request's canonical path (the known
  query parameters only, sorted: `canonical_path`), together with the names and values of the
  stamps of every cached entry it was built from (apps.caching.reads), and its ETag;
- `AnonymousResponseCacheMiddleware` looks the path up for the next anonymous GET, reads the current
  values of those counters, and when every one still matches (no write since: a write bumps them),
  answers with the stored bytes, or 304 when the client's `If-None-Match` holds that ETag.

It is the generation scheme of apps.caching.generations applied to whole responses, with its guarantees:
an entry computed while a write was happening carries the counters from before that write, so it
can never match again; the cache being down only means every request takes the full path.

Only requests without `Authorization` use it (signed-in views have per-viewer flags), only GET, and
only when the client accepts JSON: anything else (HEAD, another media type, an error) goes to the
view as before. The middlewares outside this one (CORS, Cache-Control/Vary, request id) treat the
stored response exactly as a fresh one.
"""

import hashlib
import re
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch
from django.utils.http import parse_etags

from apps.caching.generations import Versions, cache_get, cache_set, generations_get
from apps.observability import metrics

RESPONSE_TTL = 300
# The query parameters of the API's reads (article lists and the feed: filters and paging; comments:
# paging); `format` is DRF's, which picks another renderer (or a 404).
_KNOWN_PARAMETERS = frozenset({"tag", "author", "favorited", "limit", "offset", "cursor"})
_NUMBER_PARAMETERS = frozenset({"limit", "offset"})
_UNCACHEABLE_PARAMETERS = frozenset({"format"})
_CANONICAL_NUMBER = re.compile(r"^(0|[1-9][0-9]{0,9})$")
# The headers the view itself sets; the outer middlewares add theirs on every response.
_STORED_HEADERS = ("Content-Type", "Allow", "Vary", "ETag")
_JSON_MEDIA_RANGES = ("*/*", "application/*", "application/json")

# What the view had set, its data's counters, and the route it matched (for logs and metrics).
StoredResponse = tuple[Versions, dict[str, str], bytes, str]


def canonical_path(request: HttpRequest) -> str | None:
    """
    The request's path with only the query parameters the API reads, in one canonical form: what
    stored responses (and ETags) are keyed on. Unknown parameters are dropped (the views ignore
    them), empty filters too (`?tag=` filters nothing), and the rest sorted; so `?r=<random>` or a
    reordered query cannot mint new entries. None when the query has a known parameter twice, a
    number not written canonically (`limit=020`) or `format`: such a request is neither answered
    from stored responses nor stored.
    """
    parts = []
    for name, values in request.GET.lists():
        if name not in _KNOWN_PARAMETERS:
            if name in _UNCACHEABLE_PARAMETERS:
                return None
            continue
        if len(values) != 1:
            return None
        value = values[0]
        if name in _NUMBER_PARAMETERS and not _CANONICAL_NUMBER.match(value):
            return None
        if value:
            parts.append((name, value))
    return f"{request.path_info}?{urlencode(sorted(parts))}" if parts else request.path_info


def response_cache_key(path: str) -> str:
    digest = hashlib.sha1(path.encode(), usedforsecurity=False).hexdigest()
    return f"core:response:{digest}"


def is_anonymous_json_read(request: HttpRequest) -> bool:
    """A GET without credentials whose client takes JSON: what stored responses may answer."""
    if request.method != "GET" or "authorization" in request.headers:
        return False
    accept = request.headers.get("Accept", "")
    if not accept:
        return True
    return any(part.split(";")[0].strip() in _JSON_MEDIA_RANGES for part in accept.split(","))


def response_store(request: HttpRequest, response: HttpResponse, versions: Versions) -> None:
    """Stores a rendered 200 response of an anonymous read, built from data at `versions`."""
    if response.status_code != 200 or not is_anonymous_json_read(request):
        return
    path = canonical_path(request)
    if path is None or len(response.content) > settings.RESPONSE_CACHE_MAX_BYTES:
        return
    headers = {name: response[name] for name in _STORED_HEADERS if response.has_header(name)}
    match = request.resolver_match
    entry: StoredResponse = (versions, headers, response.content, match.route if match else "")
    cache_set(response_cache_key(path), entry, RESPONSE_TTL)


def response_lookup(request: HttpRequest) -> HttpResponse | None:
    """The stored response for this request when the data behind it has not changed since; else None."""
    path = canonical_path(request)
    if path is None:
        return None
    entry: StoredResponse | None = cache_get(response_cache_key(path))
    if entry is None or generations_get(entry[0]) != entry[0]:
        # Never stored, or written since (or the cache is down): the view computes a fresh one.
        metrics.cache_reads.labels(layer="response", result="miss").inc()
        return None
    metrics.cache_reads.labels(layer="response", result="hit").inc()
    _, headers, body, route = entry
    # The route the view matched, without resolving the URL again: access logs and metrics use it.
    request.resolver_match = ResolverMatch(stored_response, (), {}, route=route)
    if headers.get("ETag") in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
        del response["Content-Type"]
        for name in ("ETag", "Allow", "Vary"):
            if name in headers:
                response[name] = headers[name]
        return response
    return HttpResponse(body, headers=headers)


def stored_response(request: HttpRequest) -> HttpResponse:
    """Stands for the view in the `resolver_match` of a request answered from a stored response."""
    raise NotImplementedError("never called: the middleware answers these requests itself")


class AnonymousResponseCacheMiddleware:
    """Answers anonymous API reads from stored responses when their data is unchanged (module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/") and is_anonymous_json_read(request):
            stored = response_lookup(request)
            if stored is not None:
                return stored
        return self.get_response(request)
