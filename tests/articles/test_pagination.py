import itertools

import pytest
import yaml
from django.conf import settings

from tests.conftest import client_for
from tests.factories import ArticleFactory, FollowFactory, UserFactory
from tests.helpers import api_url
from tests.test_openapi import OPENAPI_FILE

pytestmark = pytest.mark.django_db

ARTICLES = api_url("articles:list")


@pytest.fixture
def slugs(db):
    """Seven articles, newest last created (so newest first in the API)."""
    return [ArticleFactory(tags=["dragons"]).slug for _ in range(7)][::-1]


def walk(client, url: str, limit: int, **filters: str) -> list[list[str]]:
    """Every page of `url` followed by its cursors."""
    pages, cursor = [], None
    while True:
        params = {"limit": limit, **filters, **({"cursor": cursor} if cursor else {})}
        body = client.get(url, params).json()
        pages.append([article["slug"] for article in body["articles"]])
        cursor = body["nextCursor"]
        if cursor is None:
            return pages


def test_cursor_pages_walk_the_list_newest_first_without_gaps_or_repeats(api_client, slugs):
    assert walk(api_client, ARTICLES, 3) == [slugs[0:3], slugs[3:6], slugs[6:7]]


def test_cursor_pages_match_offset_pages(api_client, slugs):
    body = api_client.get(ARTICLES, {"limit": 2, "offset": 2}).json()
    first = api_client.get(ARTICLES, {"limit": 2}).json()
    second = api_client.get(ARTICLES, {"limit": 2, "cursor": first["nextCursor"]}).json()
    assert second["articles"] == body["articles"]
    assert second["articlesCount"] == body["articlesCount"] == 7


def test_cursor_pagination_applies_filters(api_client, slugs):
    ArticleFactory(tags=["other"])
    assert list(itertools.chain(*walk(api_client, ARTICLES, 4, tag="dragons"))) == slugs


def test_cursor_pagination_works_for_the_feed(slugs):
    reader = UserFactory()
    author = UserFactory()
    mine = [ArticleFactory(author=author).slug for _ in range(3)][::-1]
    FollowFactory(follower=reader, followee=author)
    assert walk(client_for(reader), api_url("feeds:feed"), 2) == [mine[0:2], mine[2:3]]


def test_last_page_has_no_next_cursor(api_client, slugs):
    assert api_client.get(ARTICLES, {"limit": 7}).json()["nextCursor"] is None


@pytest.mark.parametrize("cursor", ["garbage", "bm90LWEtY3Vyc29y", "MjAyNi0xMS0yNXwxMjM0NTY3ODkwMTIzNDU2Nzg5MA"])
def test_bad_cursor_is_a_422(api_client, cursor):
    response = api_client.get(ARTICLES, {"cursor": cursor})
    assert response.status_code == 422
    assert response.json() == {"errors": {"cursor": ["is invalid"]}}


def test_cursor_and_offset_together_are_a_422(api_client, slugs):
    cursor = api_client.get(ARTICLES, {"limit": 2}).json()["nextCursor"]
    response = api_client.get(ARTICLES, {"cursor": cursor, "offset": 2})
    assert response.status_code == 422
    assert response.json() == {"errors": {"offset": ["cannot be combined with cursor"]}}


@pytest.mark.parametrize("url_name", ["articles:list", "feeds:feed"])
@pytest.mark.parametrize("offset", [settings.PAGINATION_MAX_OFFSET + 1, 10_000, 2**31 - 1])
def test_offset_beyond_the_cap_is_a_422_that_points_to_the_cursor(user, url_name, offset):
    # Ref: #9: an anonymous offset up to 2**31-1 missed every cache; offset=10000 cost ~210 ms.
    response = client_for(user).get(api_url(url_name), {"offset": offset})
    message = f"must be at most {settings.PAGINATION_MAX_OFFSET}; page deeper with `cursor`"
    assert response.status_code == 422
    assert response.json() == {"errors": {"offset": [message]}}


def test_offset_at_the_cap_is_served(api_client, slugs):
    body = api_client.get(ARTICLES, {"offset": settings.PAGINATION_MAX_OFFSET}).json()
    assert (body["articles"], body["articlesCount"]) == ([], 7)


def test_the_offset_cap_is_published_in_the_schema():
    schema = yaml.safe_load(OPENAPI_FILE.read_text())
    for path in ("/articles", "/articles/feed"):
        [offset] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "offset"]
        assert offset["schema"]["maximum"] == settings.PAGINATION_MAX_OFFSET
        assert "cursor" in offset["description"]
