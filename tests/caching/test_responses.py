"""
Stored responses of anonymous reads (apps.caching.responses), through the real WSGI application
(config.wsgi: the `StoredResponses` layer around Django's): served in front of Django while their data
is unchanged, with the full stack's bytes and headers; never after a write, never to a signed-in reader,
a CORS request or a client that does not take JSON.
"""

import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from prometheus_client import REGISTRY

from apps.articles.caching import article_published
from apps.articles.views import ArticleListApi
from apps.caching.reads import everything_changed
from apps.caching.responses import STORABLE_ENVIRON_KEY, StoredResponses, canonical_path, response_cache_key
from config.wsgi import application
from tests.client import APIClient
from tests.conftest import client_for
from tests.factories import ArticleFactory, UserFactory
from tests.helpers import api_url

pytestmark = pytest.mark.django_db

URL = api_url("articles:list")
PAGE = f"{URL}?limit=5"
ROUTE = "/api/articles"


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def __getitem__(self, name: str) -> str:
        return next(value for key, value in self.headers if key.lower() == name.lower())

    def has(self, name: str) -> bool:
        return any(key.lower() == name.lower() for key, _ in self.headers)

    def without_request_id(self) -> list[tuple[str, str]]:
        return [(key, value) for key, value in self.headers if key != "X-Request-ID"]


def wsgi_get(path: str, *, method: str = "GET", secure: bool = False, **headers: str) -> Answer:
    """One request through config.wsgi.application, as uvicorn makes it (a Host header, the WSGI protocol)."""
    request = RequestFactory().generic(method, path, secure=secure, headers={"Host": "testserver", **headers})
    answered: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answered.update(status=int(status.split()[0]), headers=list(headers))

    # Django's handler closes the database connection after each request (the test's transaction
    # with it): Django's test client stops it doing so in the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = application(request.environ, start_response)
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return Answer(answered["status"], answered["headers"], body)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def article(db):
    return ArticleFactory(tags=["dragons"])


def gets_reaching(view: type, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the GETs that reach `view` from now on (the others were answered in front of Django)."""
    calls: list[str] = []
    original = view.get  # type: ignore[attr-defined]

    def counting_get(self, request, *args, **kwargs):
        calls.append(request.get_full_path())
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(view, "get", counting_get)
    return calls


@pytest.fixture
def view_calls(monkeypatch) -> list[str]:
    return gets_reaching(ArticleListApi, monkeypatch)


def test_a_repeated_anonymous_read_gets_the_full_stacks_bytes_and_headers_without_django(
    article, view_calls, django_assert_num_queries
):
    first = wsgi_get(PAGE)
    with django_assert_num_queries(0):
        second = wsgi_get(PAGE)
    assert view_calls == [PAGE]
    assert (second.status, second.body) == (200, first.body)
    assert second.without_request_id() == first.without_request_id()
    for header in ("ETag", "Content-Type", "Content-Length", "Cache-Control", "Vary", "X-Frame-Options"):
        assert second.has(header), header


def test_the_request_id_is_echoed_or_made_per_request(article, view_calls):
    wsgi_get(PAGE)
    assert wsgi_get(PAGE, **{"X-Request-ID": "lb-42.a"})["X-Request-ID"] == "lb-42.a"
    made = {wsgi_get(PAGE)["X-Request-ID"] for _ in range(2)}
    forged = wsgi_get(PAGE, **{"X-Request-ID": "a b\nfake log line"})["X-Request-ID"]
    assert all(re.fullmatch(r"[0-9a-f]{32}", made_id) for made_id in {*made, forged})
    assert len(made) == 2
    assert len(view_calls) == 1


def test_a_matching_etag_gets_304_from_the_stored_response(article, view_calls):
    full = wsgi_get(PAGE)
    response = wsgi_get(PAGE, **{"If-None-Match": full["ETag"]})
    assert (response.status, response.body) == (304, b"")
    for header in ("ETag", "Cache-Control", "Vary"):
        assert response[header] == full[header], header
    assert not response.has("Content-Type")
    assert response.has("X-Request-ID")
    assert wsgi_get(PAGE, **{"If-None-Match": '"other"'}).status == 200
    assert len(view_calls) == 1


def test_the_unversioned_alias_is_stored_apart_with_the_same_body(article, view_calls):
    versioned = wsgi_get(PAGE)
    for _ in range(2):
        unversioned = wsgi_get("/api/articles?limit=5")
    assert (unversioned.status, unversioned.body) == (200, versioned.body)
    assert unversioned["ETag"] == versioned["ETag"]
    assert view_calls == [PAGE, "/api/articles?limit=5"]


def test_a_write_makes_the_next_read_go_to_django(article, view_calls):
    before = wsgi_get(PAGE)
    fan = UserFactory()
    assert client_for(fan).post(api_url("articles:favorite", slug=article.slug)).status_code == 200
    after = wsgi_get(PAGE)
    assert after.body != before.body
    assert b'"favoritesCount":1' in after.body
    assert len(view_calls) == 2


@pytest.mark.parametrize(
    "bump",
    [
        lambda article: article_published(
            slug="new-article", author=article.author.username, author_id=article.author_id, tags=["dragons"]
        ),
        lambda article: everything_changed(),
    ],
    ids=["article_published", "everything_changed"],
)
def test_bumped_stamps_make_the_stored_response_unusable(article, view_calls, bump, django_capture_on_commit_callbacks):
    wsgi_get(PAGE)
    wsgi_get(PAGE)  # answered: the process now reads the entry's stamps in the entry's own round trip
    assert len(view_calls) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the stamps are bumped once the write commits
        bump(article)
    assert wsgi_get(PAGE).status == 200
    assert len(view_calls) == 2


def test_signed_in_readers_never_get_the_stored_response(article, view_calls):
    fan = UserFactory()
    client_for(fan).post(api_url("articles:favorite", slug=article.slug))
    wsgi_get(PAGE)
    token = client_for(fan)._credentials["HTTP_AUTHORIZATION"]
    response = wsgi_get(PAGE, Authorization=token)
    assert b'"favorited":true' in response.body
    assert response["Cache-Control"] == "private, no-cache"
    assert len(view_calls) == 2


def test_a_cors_request_goes_to_django_and_gets_its_cors_headers(article, view_calls, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://spa.example"]
    wsgi_get(PAGE)
    response = wsgi_get(PAGE, Origin="https://spa.example")
    assert response["Access-Control-Allow-Origin"] == "https://spa.example"
    assert not wsgi_get(PAGE).has("Access-Control-Allow-Origin")  # the stored one never carries them
    assert len(view_calls) == 2


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"Accept": "text/html"}, 406),
        ({"method": "HEAD"}, 200),
        ({"Host": "evil.example"}, 400),
        ({"secure": True}, 200),
    ],
    ids=["not-json", "head", "disallowed-host", "other-scheme"],
)
def test_other_requests_go_to_django(article, view_calls, request_kwargs, status):
    wsgi_get(PAGE)
    assert wsgi_get(PAGE, **request_kwargs).status == status
    if status == 200:
        assert len(view_calls) == 2


def test_a_client_that_also_takes_json_gets_the_stored_response(article, view_calls):
    wsgi_get(PAGE)
    assert wsgi_get(PAGE, Accept="text/html, application/json;q=0.9").status == 200
    assert len(view_calls) == 1


def test_an_answered_request_is_logged_and_counted(article, view_calls, caplog):
    etag = wsgi_get(PAGE)["ETag"]
    labels = {"method": "GET", "route": ROUTE}
    before = {
        "ok": sample("conduit_http_requests_total", **labels, status="200"),
        "not_modified": sample("conduit_http_requests_total", **labels, status="304"),
        "timed": sample("conduit_http_request_duration_seconds_count", **labels),
        "hits": sample("conduit_cache_reads_total", layer="response", result="hit"),
    }
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="conduit.access"):
        request_id = wsgi_get(PAGE)["X-Request-ID"]
        wsgi_get(PAGE, **{"If-None-Match": etag})
    assert sample("conduit_http_requests_total", **labels, status="200") == before["ok"] + 1
    assert sample("conduit_http_requests_total", **labels, status="304") == before["not_modified"] + 1
    assert sample("conduit_http_request_duration_seconds_count", **labels) == before["timed"] + 2
    assert sample("conduit_cache_reads_total", layer="response", result="hit") == before["hits"] + 2
    lines = [record for record in caplog.records if record.name == "conduit.access"]
    assert [(record.route, record.status, record.path) for record in lines] == [(ROUTE, 200, URL), (ROUTE, 304, URL)]
    assert len(view_calls) == 1
    assert request_id


def test_errors_are_not_stored(db, view_calls):
    for _ in range(2):
        assert wsgi_get(f"{URL}?limit=0").status == 422
    assert len(view_calls) == 2


# ------------------------------------------------------------------------------
# Cache pressure (Ref: #9 (5)): only the known parameters, canonical, key a stored response
# ------------------------------------------------------------------------------
STORED_KEY_PART = ":" + response_cache_key("").rsplit(":", 1)[0] + ":"  # ":core:response:"


def stored_responses() -> int:
    """How many stored responses the cache holds (the in-process cache can be listed; Redis is scanned)."""
    backend: Any = caches["default"]  # duck-typed: locmem or django-redis
    if hasattr(backend, "_cache") and hasattr(backend._cache, "get_client"):
        client = backend._cache.get_client(write=False)
        keys = [key.decode() for key in client.scan_iter(match=f"*{STORED_KEY_PART}*")]
    else:
        keys = [key for key in backend._cache if STORED_KEY_PART in key]
    return sum(1 for key in keys if not key.endswith(":stamps"))  # each response's stamps are stored beside it


# The raw query strings below are what is tested: their order, repeats and spelling.
def test_unknown_or_reordered_parameters_mint_no_new_entries(article, view_calls):
    first = wsgi_get(f"{URL}?limit=5&tag=dragons")
    for number in range(30):
        response = wsgi_get(f"{URL}?tag=dragons&r={number}&limit=5&utm_source=x{number}")
        assert response.body == first.body
        assert response["ETag"] == first["ETag"]
    assert wsgi_get(f"{URL}?limit=5&tag=dragons&tag=").status == 200  # repeated: not stored
    assert stored_responses() == 1
    assert len(view_calls) == 2


def test_a_number_not_written_canonically_is_answered_but_never_stored(article, view_calls):
    for padding in range(1, 20):
        assert wsgi_get(f"{URL}?limit={'0' * padding}5").status == 200
    assert stored_responses() == 0


def test_a_response_over_the_size_cap_is_answered_but_not_stored(article, view_calls, settings):
    settings.RESPONSE_CACHE_MAX_BYTES = 100
    assert len(wsgi_get(PAGE).body) > 100
    wsgi_get(PAGE)
    assert stored_responses() == 0
    assert len(view_calls) == 2


def test_django_test_client_requests_are_never_stored(article, view_calls):
    """Django's test client does not go through config.wsgi: the mark cached_response leaves is ignored."""
    for _ in range(2):
        assert APIClient().get(PAGE).status_code == 200
    assert stored_responses() == 0
    assert len(view_calls) == 2


def test_canonical_path_keeps_known_parameters_sorted_and_drops_empty_filters(rf):
    assert canonical_path(rf.get("/api/v1/articles", {"offset": "0", "tag": "a b", "x": "1", "author": ""})) == (
        "/api/v1/articles?offset=0&tag=a+b"
    )
    assert canonical_path(rf.get("/api/v1/articles?format=api")) is None
    assert canonical_path(rf.get("/api/v1/articles?limit=1&limit=2")) is None


def test_readers_missing_together_wait_for_one_rebuild(settings):
    # Ref: #11: after a write, the readers in flight used to rebuild the same page all at once (p99
    # 223 ms at 32 connections under writes); one rebuilds, the others get its stored response.
    calls: list[int] = []

    def slow_django(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        calls.append(1)
        time.sleep(0.02)
        environ[STORABLE_ENVIRON_KEY] = ({}, ROUTE)  # as cached_response marks a read built from cached entries
        start_response("200 OK", [("Content-Type", "application/json"), ("ETag", '"built"')])
        return [b'{"articles": []}']

    layer = StoredResponses(slow_django)
    bodies: list[bytes] = []

    def read() -> None:
        request = RequestFactory().get(PAGE, headers={"Host": "testserver"})
        bodies.append(b"".join(layer(request.environ, lambda status, headers, exc_info=None: None)))

    readers = [threading.Thread(target=read) for _ in range(6)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert bodies == [b'{"articles": []}'] * 6
    assert len(calls) == 1
