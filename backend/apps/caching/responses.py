"""
Rendered responses of anonymous API reads, answered in front of Django.

Most traffic is anonymous reads of a few hot pages, and the data behind them is already cached; what
such a request still costs is Python: Django's request object, its middleware chain, URL resolving,
DRF's dispatch, the validation of its query parameters, the rendering (docs/benchmarks.md profiles
it). So `StoredResponses`, a WSGI layer that config.wsgi puts around Django's application, keeps
whole responses (and uvicorn serves it through apps.caching.front, which answers them on its event loop):

- when `cached_response` (apps.api.http_caching) answers an anonymous GET whose data came whole from
  the cache, it marks the request storable (`response_storable`) with the names and values of the
  stamps of every cached entry the response was built from (apps.caching.reads);
- on its way out, the layer stores such a response when it is a 200 of at most
  RESPONSE_CACHE_MAX_BYTES: its bytes and its *final* headers, as every middleware left them
  (Cache-Control, Vary, ETag, the security headers...), but the request id; under the request's
  scheme and canonical path (the known query parameters only, sorted: `canonical_path`);
- for the next anonymous GET of that path, the layer reads the current values of those stamps, and
  when every one still matches (no write since: a write bumps them) it answers with the stored bytes
  and headers, or 304 when the client's `If-None-Match` holds the stored ETag, without entering
  Django. Only what varies per request is made per request: the request id (apps.core.request_id), the
  access log line and the metrics (apps.observability).

It is the generation scheme of apps.caching.generations applied to whole responses, with its guarantees:
an entry computed while a write was happening carries the stamps from before that write, so it
can never match again; the cache being down only means every request takes the full path.

Only requests that the full stack would answer the same way for everyone use it: a GET of `/api/...`
without `Authorization` (signed-in views have per-viewer flags), without `Origin` (CORS answers per
origin), without a body, whose client accepts JSON and whose Host is allowed. One exception: the
signed-in reads of VIEWER_KEPT_PATHS (a feed's first page) are kept per token, under a key made of
the user and the token id of a well-signed unexpired token, and of the stamps of the user's own
flags and tokens besides the data's: a revoked token, a deactivated user, a follow or a favorite of
theirs all unkeep them. Anything else (HEAD,
another media type, an error, a stale entry) goes to Django as before. `/api/x`, `/api/v1/x` (the
unversioned alias, apps.api.middleware) and `/api/v2/x` are stored separately (the path is the key),
each as the full stack answered it: a v2 request never gets a v1 body, nor the reverse.

Headers that depend on the configuration rather than on the data (a version's Deprecation, Sunset and
Link: apps.api.versions) are not served as stored: `StoredResponses(fresh_headers=...)` replaces them
with the current ones, so a stored response never outlives a change of those settings.
"""

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port, validate_host
from django.utils.encoding import repercent_broken_unicode
from django.utils.http import parse_etags

from apps.caching.generations import (
    Versions,
    cache_get_if_current,
    cache_get_many,
    cache_set_many,
    generations_get,
    run_cache_operation,
    stamp_check,
)
from apps.core.request_id import REQUEST_ID_HEADER, request_id_from_header, request_id_reset, request_id_set
from apps.observability import metrics
from apps.observability.middleware import request_record, route_label

RESPONSE_TTL = 300
# Single flight: when a stored response is missing or outdated, one request rebuilds it (holding this
# lock at most this long) while the others with the same key wait up to REBUILD_WAIT_SECONDS for it,
# checking every REBUILD_POLL_SECONDS, instead of all rebuilding the same page at once after a write.
REBUILD_LOCK_SECONDS = 2
REBUILD_WAIT_SECONDS = 0.05
REBUILD_POLL_SECONDS = 0.005
# The query parameters of the API's reads (article lists and the feed: filters and paging; comments:
# paging); `format` is DRF's, which picks another renderer (or a 404).
# Signed-in reads whose responses are kept per token (`response_storable` with a viewer): the first
# page of the personal feed, which each reader opens again and again (apps.feeds).
VIEWER_KEPT_PATHS = frozenset({"/api/articles/feed", "/api/v1/articles/feed", "/api/v2/articles/feed"})
_KNOWN_PARAMETERS = frozenset({"tag", "author", "favorited", "limit", "offset", "cursor"})
# v2's search (`/api/v2/articles?q=`): a different list for each text. Known there only: elsewhere
# (v1's list) `q` changes nothing, so it must not mint an entry per made-up text.
SEARCH_PATHS = frozenset({"/api/v2/articles"})
_SEARCH_PARAMETERS = _KNOWN_PARAMETERS | {"q"}
_NUMBER_PARAMETERS = frozenset({"limit", "offset"})
_UNCACHEABLE_PARAMETERS = frozenset({"format"})
_CANONICAL_NUMBER = re.compile(r"^(0|[1-9][0-9]{0,9})$")
_JSON_MEDIA_RANGES = ("*/*", "application/*", "application/json")
_MAX_FIELDS = 100  # no read takes more query parameters; a longer query goes to Django
# Made per request, never stored; left out of a 304 (it has no body).
_REQUEST_ID = REQUEST_ID_HEADER.lower()
_BODY_HEADERS = frozenset({"content-type", "content-length"})
# Where cached_response leaves the stamps of a storable response for the layer (the WSGI environ,
# which is Django's request.META).
STORABLE_ENVIRON_KEY = "conduit.storable_response"
# Set in the ASGI scope (which a2wsgi hands to the WSGI application as environ["asgi.scope"]) by the
# front once it has looked the request's key up and missed: True when the request holds the claim to
# rebuild the response, False when it waited for another's rebuild in vain. A client cannot set it.
REBUILD_SCOPE_KEY = "conduit.stored_response_rebuild"

# Per process: the stamps of the entry last found current at each key, their digest and `stamp_check`,
# and the position of the journal of bumps at which they held (None: unknown, the next check reads
# them all).
_seen_stamps: dict[str, tuple[Versions, str, Any, int | None]] = {}
_SEEN_STAMPS_MAX = 4096

# A digest of the stamps the response was built from (`stamps_digest`), its final headers (but the
# request id), its body, and the route it matched (for the access log and the metrics). The stamps
# themselves are stored apart (`_stamps_key`), read only by a process that has not seen the entry yet:
# a feed's first page has hundreds, which every hit would otherwise carry and unpickle.
StoredResponse = tuple[str, list[tuple[str, str]], bytes, str]
StartResponse = Callable[..., Any]
# A served stored response: its status line, its headers, its body.
Answer = tuple[str, list[tuple[str, str]], bytes]
WSGIApplication = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def canonical_path(request: HttpRequest) -> str | None:
    """The request's path with only the query parameters the API reads (`canonical_path_of`): ETags use it."""
    return canonical_path_of(request.path_info, request.GET.lists())


def canonical_path_of(path: str, parameters: Iterable[tuple[str, list[str]]]) -> str | None:
    """
    `path` with only the query `parameters` the API reads, in one canonical form: what stored
    responses (and ETags) are keyed on. Unknown parameters are dropped (the views ignore them), empty
    filters too (`?tag=` filters nothing), and the rest sorted; so `?r=<random>` or a reordered query
    cannot mint new entries. None when the query has a known parameter twice, a number not written
    canonically (`limit=020`) or `format`: such a request is neither answered from stored responses
    nor stored.
    """
    parts = []
    known = _SEARCH_PARAMETERS if path in SEARCH_PATHS else _KNOWN_PARAMETERS
    for name, values in parameters:
        if name not in known:
            if name in _UNCACHEABLE_PARAMETERS:
                return None
            continue
        if len(values) != 1:
            return None
        value = values[0]
        if name in _NUMBER_PARAMETERS and not _CANONICAL_NUMBER.match(value):
            return None
        if name == "q" and not value:  # an empty search is a 422 (Django says so), not the unfiltered list
            return None
        if value:
            parts.append((name, value))
    return f"{path}?{urlencode(sorted(parts))}" if parts else path


def response_cache_key(path: str) -> str:
    digest = hashlib.sha1(path.encode(), usedforsecurity=False).hexdigest()
    return f"core:response:{digest}"


def accepts_json(accept: str) -> bool:
    """Whether a client sending this `Accept` header takes JSON (no header: anything)."""
    if not accept:
        return True
    return any(part.split(";")[0].strip() in _JSON_MEDIA_RANGES for part in accept.split(","))


def response_storable(request: HttpRequest, versions: Versions) -> None:
    """
    Marks the response to this anonymous read as built from cached data at `versions`: `StoredResponses`
    stores it on its way out if it is a 200 (elsewhere, e.g. in tests through Django's test client,
    the mark is ignored).
    """
    request.META[STORABLE_ENVIRON_KEY] = (dict(versions), route_label(request))


def response_lookup(key: str, *, counted: bool = True) -> StoredResponse | None:
    """
    The response stored at `key` when the data behind it has not changed since; else None.

    One round trip once this process has seen the entry: it remembers the stamps the entry was stored
    with, and reads the entry only if they all still hold those values (`cache_get_if_current`: from
    the second check on, by asking which stamps were bumped since the last one). A key seen for the
    first time, or whose entry was stored again since, costs two more. `counted`:
    the lookup is a request's (its hit or miss is a metric), not a wait's poll.
    """
    result = _lookup(key)
    if counted:
        metrics.cache_reads.labels(layer="response", result="miss" if result is None else "hit").inc()
    return result


def _lookup(key: str) -> StoredResponse | None:
    seen = _seen_stamps.get(key)
    if seen is not None:
        versions, digest, check, since = seen
        entry: StoredResponse | None
        entry, position = cache_get_if_current(key, versions, check, since=since)
        if entry is not None and entry[0] == digest:
            if position != since:
                _seen_stamps[key] = (versions, digest, check, position)
            return entry
    found = cache_get_many([key, _stamps_key(key)])
    entry, stored_stamps = found.get(key), found.get(_stamps_key(key))
    if (
        entry is None
        or stored_stamps is None
        or entry[0] != stamps_digest(stored_stamps)
        or generations_get(stored_stamps) != stored_stamps
    ):
        # Never stored, or written since (or the cache is down): Django computes a fresh one.
        return None
    if len(_seen_stamps) >= _SEEN_STAMPS_MAX:
        _seen_stamps.clear()
    _seen_stamps[key] = (stored_stamps, entry[0], stamp_check(stored_stamps), None)
    return entry


def stamps_digest(versions: Versions) -> str:
    """What a stored response carries of the stamps it was built from: enough to tell them apart."""
    return hashlib.blake2b(repr(sorted(versions.items())).encode(), digest_size=16).hexdigest()


def _stamps_key(key: str) -> str:
    return f"{key}:stamps"


# ------------------------------------------------------------------------------
# The WSGI layer
# ------------------------------------------------------------------------------
# For a request's path: the names of the headers made per configuration, and their current values.
FreshHeaders = tuple[frozenset[str], Callable[[str], list[tuple[str, str]]]]


class StoredResponses:
    """
    Answers anonymous API reads from stored responses when their data is unchanged (module docstring).
    `fresh_headers`: (lowercase names, path -> current headers): those headers of a stored response are
    replaced with the current ones when it is served.
    """

    def __init__(self, application: WSGIApplication, *, fresh_headers: FreshHeaders | None = None) -> None:
        self.application = application
        self.fresh_headers = fresh_headers

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        found = self.response_key(environ)
        if found is None:
            return self.application(environ, start_response)
        path, key = found
        # Behind the ASGI front (apps.caching.front), which has already looked the key up, missed, and
        # either claimed the rebuild for this request or waited for another's in vain: answer and store.
        claimed = environ.get("asgi.scope", {}).get(REBUILD_SCOPE_KEY)
        if claimed is not None:
            return self._answer_and_store(environ, start_response, key, release=claimed)
        answer = self.current_answer(environ, path, key, started)
        if answer is None:
            if self.claim_rebuild(key):
                return self._answer_and_store(environ, start_response, key, release=True)
            answer = self._rebuilt(environ, path, key, started)
            if answer is None:  # not stored (an error, a write since) or slow: the request's own answer
                return self._answer_and_store(environ, start_response, key, release=False)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def response_key(self, environ: dict[str, Any]) -> tuple[str, str] | None:
        """(the request's path, the key of the stored response that may answer it); None: Django answers."""
        path = _path_info(environ)
        key = _stored_response_key(environ, path)
        return None if key is None else (path, key)

    def current_answer(
        self, environ: dict[str, Any], path: str, key: str, started: float, *, counted: bool = True
    ) -> Answer | None:
        """
        The answer to this request from the response stored at `key` if it is current; else None. It
        never waits nor calls Django, so the ASGI front runs it on its event loop. `counted`: a
        request's lookup (its hit or miss is a metric), not a wait's poll.
        """
        entry = response_lookup(key, counted=counted)
        return None if entry is None else self._served(entry, environ, path, started)

    def claim_rebuild(self, key: str) -> bool:
        """
        Single flight: whether this request rebuilds the response at `key` (it then must release the
        claim, as `_answer_and_store(release=True)` does); when another request holds it, this one
        waits up to REBUILD_WAIT_SECONDS for that rebuild. The cache down: every request rebuilds.
        """
        return bool(run_cache_operation("add", _rebuilding_key(key), 1, REBUILD_LOCK_SECONDS, default=True))

    def _rebuilt(self, environ: dict[str, Any], path: str, key: str, started: float) -> Answer | None:
        """The answer from the response another request is rebuilding, once stored and current; None after the wait."""
        for pause in rebuild_wait_pauses():
            time.sleep(pause)
            answer = self.current_answer(environ, path, key, started, counted=False)
            if answer is not None:
                return answer
        return None

    def _served(self, entry: StoredResponse, environ: dict[str, Any], path: str, started: float) -> Answer:
        """A stored response as this request gets it: fresh headers, its request id, 304 when it holds the ETag."""
        _, headers, body, route = entry
        if self.fresh_headers is not None:
            names, current = self.fresh_headers
            headers = [(name, value) for name, value in headers if name.lower() not in names] + current(path)
        request_id = request_id_from_header(environ.get("HTTP_X_REQUEST_ID"))
        if _etag(headers) in parse_etags(environ.get("HTTP_IF_NONE_MATCH", "")):
            status, status_line, body = 304, "304 Not Modified", b""
            headers = [(name, value) for name, value in headers if name.lower() not in _BODY_HEADERS]
        else:
            status, status_line = 200, "200 OK"
        token = request_id_set(request_id)  # the access log line carries it
        try:
            request_record(method="GET", route=route, path=path, status=status, duration=time.perf_counter() - started)
        finally:
            request_id_reset(token)
        return status_line, [*headers, (REQUEST_ID_HEADER, request_id)], body

    def _answer_and_store(
        self, environ: dict[str, Any], start_response: StartResponse, key: str, *, release: bool
    ) -> Iterable[bytes]:
        """Django's answer, stored when it may be; `release`: this request holds the rebuild's claim."""
        try:
            return self._django_answer_stored(environ, start_response, key)
        finally:
            if release:
                run_cache_operation("delete", _rebuilding_key(key), default=None)

    def _django_answer_stored(
        self, environ: dict[str, Any], start_response: StartResponse, key: str
    ) -> Iterable[bytes]:
        answered: list[Any] = []

        def capturing_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answered[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.application(environ, capturing_start_response)
        storable = environ.get(STORABLE_ENVIRON_KEY)
        if storable is None or not answered or answered[0] != "200 OK":
            return result
        headers = answered[1]
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return result
        try:
            body = b"".join(result)
        except BaseException:
            _close(result)
            raise
        if len(body) <= settings.RESPONSE_CACHE_MAX_BYTES:
            versions, route = storable
            kept = [(name, value) for name, value in headers if name.lower() != _REQUEST_ID]
            entry: StoredResponse = (stamps_digest(versions), kept, body, route)
            cache_set_many({key: entry, _stamps_key(key): versions}, RESPONSE_TTL)
        return _ClosingBody(body, result)


def rebuild_wait_pauses() -> Iterator[float]:
    """
    The pauses of a wait for another request's rebuild (single flight), a poll after each: the WSGI
    layer sleeps them in its thread, the ASGI front (apps.caching.front) on its event loop.
    """
    deadline = time.monotonic() + REBUILD_WAIT_SECONDS
    while time.monotonic() < deadline:
        yield REBUILD_POLL_SECONDS


def _rebuilding_key(key: str) -> str:
    return f"{key}:rebuilding"


class _ClosingBody:
    """The buffered body of Django's response; closing it closes that response (Django's request_finished)."""

    def __init__(self, body: bytes, result: Iterable[bytes]) -> None:
        self.body = body
        self.result = result

    def __iter__(self) -> Iterator[bytes]:
        return iter((self.body,))

    def close(self) -> None:
        _close(self.result)


def _close(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


def _path_info(environ: dict[str, Any]) -> str:
    """PATH_INFO decoded as Django decodes it (WSGIRequest.path_info)."""
    raw = environ.get("PATH_INFO", "/").encode("iso-8859-1")
    return repercent_broken_unicode(raw).decode()


def _stored_response_key(environ: dict[str, Any], path: str) -> str | None:
    """The key of the stored response that may answer this request; None when it must go to Django."""
    if (
        environ.get("REQUEST_METHOD") != "GET"
        or not path.startswith("/api/")
        or "HTTP_ORIGIN" in environ
        or environ.get("CONTENT_LENGTH", "0") not in ("", "0")
        or not accepts_json(environ.get("HTTP_ACCEPT", ""))
        or not _host_allowed(environ)
    ):
        return None
    try:
        pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError:  # more fields than Django takes: it answers 400
        return None
    parameters: dict[str, list[str]] = {}
    for name, value in pairs:
        parameters.setdefault(name, []).append(value)
    canonical = canonical_path_of(path, parameters.items())
    if canonical is None:
        return None
    # The scheme decides Django's security headers (HSTS) and redirects: one entry per scheme.
    where = f"{_scheme(environ)}:{canonical}"
    if "HTTP_AUTHORIZATION" not in environ:
        return response_cache_key(where)
    token = _token_holder(environ["HTTP_AUTHORIZATION"]) if path in VIEWER_KEPT_PATHS else None
    return None if token is None else viewer_response_key(*token, where)


def viewer_response_key(user_id: object, token_id: object, where: str) -> str:
    """Where a response kept for one token of one user is stored: no other token can reach it."""
    return response_cache_key(f"viewer:{user_id}:{token_id}:{where}")


def _token_holder(authorization: str) -> tuple[object, object] | None:
    """
    The (user id, token id) of a well-signed, unexpired access token in this Authorization header;
    None otherwise (Django then answers as it would: 401). Whether the token is still good for its
    user (its version, the user active) is not looked up: a response kept for it is made of the
    user's `user-tokens` stamp, which a revocation or a deactivation bumps.
    """
    from rest_framework_simplejwt.exceptions import TokenError
    from rest_framework_simplejwt.settings import api_settings
    from rest_framework_simplejwt.tokens import AccessToken

    scheme, _, raw = authorization.partition(" ")
    if scheme not in ("Token", "Bearer") or not raw or " " in raw:
        return None
    try:
        token = AccessToken(raw)  # type: ignore[arg-type]  # a str is what it decodes; the stubs say Token
    except TokenError:
        return None
    user_id, token_id = token.get(api_settings.USER_ID_CLAIM), token.get(api_settings.JTI_CLAIM)
    return None if user_id is None or token_id is None else (user_id, token_id)


def _host_allowed(environ: dict[str, Any]) -> bool:
    """Whether Django would accept the request's Host (else it answers 400: Django decides)."""
    host = environ.get("HTTP_HOST")
    if host is None or (settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ):
        return False
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # as HttpRequest.get_host
    return _host_valid(host, tuple(allowed))


@lru_cache(maxsize=64)
def _host_valid(host: str, allowed: tuple[str, ...]) -> bool:
    domain, _ = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


def _scheme(environ: dict[str, Any]) -> str:
    """The request's scheme as HttpRequest.scheme reads it (SECURE_PROXY_SSL_HEADER)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    return str(environ.get("wsgi.url_scheme", "http"))


def _etag(headers: list[tuple[str, str]]) -> str | None:
    return next((value for name, value in headers if name == "ETag"), None)
