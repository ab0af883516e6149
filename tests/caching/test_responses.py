"""
Stored responses of anonymous reads (apps.caching.responses): served without the view while their
data is unchanged, never after a write, never to a signed-in reader or a client that does not take JSON.
"""

from typing import Any

import pytest
from django.core.cache import caches

from apps.articles.caching import article_published
from apps.articles.views import ArticleListApi
from apps.caching.reads import everything_changed
from apps.caching.responses import canonical_path, response_cache_key
from tests.client import APIClient
from tests.conftest import client_for
from tests.factories import ArticleFactory, UserFactory
from tests.helpers import api_url

pytestmark = pytest.mark.django_db

URL = api_url("articles:list")
PAGE = {"limit": 5}


@pytest.fixture
def article(db):
    return ArticleFactory(tags=["dragons"])


@pytest.fixture
def view_calls(monkeypatch) -> list[str]:
    """The requests that reached ArticleListApi.get (the others were answered by the middleware)."""
    calls: list[str] = []
    original = ArticleListApi.get

    def counting_get(self, request, *args, **kwargs):
        calls.append(request.get_full_path())
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(ArticleListApi, "get", counting_get)
    return calls


def test_a_repeated_anonymous_read_is_answered_without_the_view(article, view_calls, django_assert_num_queries):
    first = APIClient().get(URL, PAGE)
    with django_assert_num_queries(0):
        second = APIClient().get(URL, PAGE)
    assert view_calls == [f"{URL}?limit=5"]
    assert second.status_code == 200
    assert second.content == first.content
    for header in ("ETag", "Content-Type", "Cache-Control", "Vary", "Allow"):
        assert second[header] == first[header], header


def test_a_matching_etag_gets_304_from_the_stored_response(article, view_calls):
    etag = APIClient().get(URL, PAGE)["ETag"]
    response = APIClient().get(URL, PAGE, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert len(view_calls) == 1


def test_a_write_makes_the_next_read_go_to_the_view(article, view_calls):
    before = APIClient().get(URL, PAGE).json()
    fan = UserFactory()
    assert client_for(fan).post(api_url("articles:favorite", slug=article.slug)).status_code == 200
    after = APIClient().get(URL, PAGE).json()
    assert after["articles"][0]["favoritesCount"] == before["articles"][0]["favoritesCount"] + 1
    assert len(view_calls) == 2


@pytest.mark.parametrize(
    "bump",
    [
        lambda article: article_published(slug="new-article", author=article.author.username, tags=["dragons"]),
        lambda article: everything_changed(),
    ],
    ids=["article_published", "everything_changed"],
)
def test_bumped_counters_make_the_stored_response_unusable(
    article, view_calls, bump, django_capture_on_commit_callbacks
):
    APIClient().get(URL, PAGE)
    with django_capture_on_commit_callbacks(execute=True):  # the stamps are bumped once the write commits
        bump(article)
    APIClient().get(URL, PAGE)
    assert len(view_calls) == 2


def test_signed_in_readers_never_get_the_stored_response(article, view_calls):
    fan = UserFactory()
    client_for(fan).post(api_url("articles:favorite", slug=article.slug))
    APIClient().get(URL, PAGE)
    response = client_for(fan).get(URL, PAGE)
    assert response.json()["articles"][0]["favorited"] is True
    assert response["Cache-Control"] == "private, no-cache"
    assert len(view_calls) == 2


def test_a_client_that_does_not_take_json_still_gets_406(article, view_calls):
    APIClient().get(URL, PAGE)
    response = APIClient().get(URL, PAGE, HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert APIClient().get(URL, PAGE, HTTP_ACCEPT="text/html, application/json;q=0.9").status_code == 200


def test_errors_are_not_stored(db, view_calls):
    for _ in range(2):
        assert APIClient().get(URL, {"limit": 0}).status_code == 422
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
        return sum(1 for _ in client.scan_iter(match=f"*{STORED_KEY_PART}*"))
    return sum(1 for key in backend._cache if STORED_KEY_PART in key)


# The raw query strings below are what is tested: their order, repeats and spelling.
def test_unknown_or_reordered_parameters_mint_no_new_entries(article, view_calls):
    first = APIClient().get(f"{URL}?limit=5&tag=dragons")
    for number in range(30):
        response = APIClient().get(f"{URL}?tag=dragons&r={number}&limit=5&utm_source=x{number}")
        assert response.content == first.content
        assert response["ETag"] == first["ETag"]
    assert APIClient().get(f"{URL}?limit=5&tag=dragons&tag=").status_code == 200  # repeated: not stored
    assert stored_responses() == 1
    assert len(view_calls) == 2


def test_a_number_not_written_canonically_is_answered_but_never_stored(article, view_calls):
    for padding in range(1, 20):
        assert APIClient().get(f"{URL}?limit={'0' * padding}5").status_code == 200
    assert stored_responses() == 0


def test_a_response_over_the_size_cap_is_answered_but_not_stored(article, view_calls, settings):
    settings.RESPONSE_CACHE_MAX_BYTES = 100
    assert len(APIClient().get(URL, PAGE).content) > 100
    APIClient().get(URL, PAGE)
    assert stored_responses() == 0
    assert len(view_calls) == 2


def test_canonical_path_keeps_known_parameters_sorted_and_drops_empty_filters(rf):
    assert canonical_path(rf.get("/api/v1/articles", {"offset": "0", "tag": "a b", "x": "1", "author": ""})) == (
        "/api/v1/articles?offset=0&tag=a+b"
    )
    assert canonical_path(rf.get("/api/v1/articles?format=api")) is None
    assert canonical_path(rf.get("/api/v1/articles?limit=1&limit=2")) is None
