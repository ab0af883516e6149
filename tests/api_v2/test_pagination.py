"""
v2's lists (articles, the feed, comments, notifications) page by cursor only, with `links.next`, and
an `articlesCount` only where it is exact and cheap (apps.api.pagination.cursor_list_body).
"""

from urllib.parse import parse_qs, urlsplit

import pytest

from apps.notifications.models import NotificationKind
from tests.api_v2.helpers import assert_problem, v2_url
from tests.factories import ArticleFactory, CommentFactory, FollowFactory, UserFactory
from tests.notifications.test_api import notify

pytestmark = pytest.mark.django_db


def walk(client, url: str, name: str) -> list[list]:
    """Every page of a list, following `links.next` from `url`."""
    pages = []
    while url:
        body = client.get(url).json()
        assert body["nextCursor"] == (
            parse_qs(urlsplit(body["links"]["next"]).query)["cursor"][0] if body["links"]["next"] else None
        )
        pages.append([item.get("slug") or item["id"] for item in body[name]])
        url = body["links"]["next"]
    return pages


def test_links_next_walks_the_whole_list_and_keeps_the_query(api_client):
    for _ in range(5):
        ArticleFactory(tags=["go"])
    ArticleFactory()
    first = api_client.get(v2_url("articles:list") + "?tag=go&limit=2").json()
    assert first["links"]["next"].startswith("/api/v2/articles?")
    assert parse_qs(urlsplit(first["links"]["next"]).query)["tag"] == ["go"]
    pages = walk(api_client, v2_url("articles:list") + "?tag=go&limit=2", "articles")
    assert [len(page) for page in pages] == [2, 2, 1]
    assert len({slug for page in pages for slug in page}) == 5


def test_a_cursor_is_stable_under_inserts(api_client):
    """Articles published while a reader pages are not shown twice, and none is skipped."""
    older = [ArticleFactory() for _ in range(4)]
    first = api_client.get(v2_url("articles:list") + "?limit=2").json()
    for _ in range(3):
        ArticleFactory()  # newer than everything on the first page
    rest = walk(api_client, first["links"]["next"], "articles")
    seen = [item["slug"] for item in first["articles"]] + [slug for page in rest for slug in page]
    assert seen == [article.slug for article in reversed(older)]


def test_articles_count_only_where_it_is_cheap(api_client):
    author = UserFactory()
    ArticleFactory(author=author, tags=["go"])
    ArticleFactory(tags=["go"])
    url = v2_url("articles:list")
    assert api_client.get(url).json()["articlesCount"] == 2
    assert api_client.get(url + "?tag=go").json()["articlesCount"] == 2
    assert api_client.get(url + f"?author={author.username}").json()["articlesCount"] == 1
    # Two filters would be a COUNT(*) over their join: left out.
    assert "articlesCount" not in api_client.get(url + f"?tag=go&author={author.username}").json()


def test_offset_is_not_a_v2_parameter(api_client, auth_client):
    article = ArticleFactory()
    for client, url in (
        (api_client, v2_url("articles:list")),
        (auth_client, v2_url("feeds:feed")),
        (api_client, v2_url("comments:list", slug=article.slug)),
        (auth_client, v2_url("notifications:list")),
    ):
        response = client.get(url + "?offset=0")
        assert_problem(response, 422, "validation-failed")
        assert set(response.json()["errors"]) == {"offset"}


def test_an_empty_offset_is_absent_as_every_empty_parameter(api_client):
    ArticleFactory()
    assert api_client.get(v2_url("articles:list") + "?offset=").status_code == 200
    assert_problem(api_client.get(v2_url("articles:list") + "?offset=&offset=5"), 422, "validation-failed")


def test_v1_keeps_offset_and_has_no_links(api_client):
    ArticleFactory()
    body = api_client.get("/api/v1/articles?offset=0").json()
    assert set(body) == {"articles", "articlesCount", "nextCursor"}


def test_the_feed_pages_by_cursor_with_its_count(user, auth_client):
    author = UserFactory()
    FollowFactory(follower=user, followee=author)
    for _ in range(3):
        ArticleFactory(author=author)
    body = auth_client.get(v2_url("feeds:feed") + "?limit=2").json()
    assert body["articlesCount"] == 3
    assert len(body["articles"]) == 2
    pages = walk(auth_client, v2_url("feeds:feed") + "?limit=2", "articles")
    assert [len(page) for page in pages] == [2, 1]


def test_comments_page_by_cursor_without_a_count(api_client):
    article = ArticleFactory()
    for _ in range(3):
        CommentFactory(article=article)
    body = api_client.get(v2_url("comments:list", slug=article.slug) + "?limit=2").json()
    assert set(body) == {"comments", "nextCursor", "links"}
    assert [
        len(page) for page in walk(api_client, v2_url("comments:list", slug=article.slug) + "?limit=2", "comments")
    ] == [2, 1]


def test_notifications_page_by_cursor_without_a_count(user, auth_client):
    for _ in range(3):
        notify(user, kind=NotificationKind.ARTICLE_PUBLISHED)
    body = auth_client.get(v2_url("notifications:list") + "?limit=2").json()
    assert set(body) == {"notifications", "nextCursor", "links"}
    pages = walk(auth_client, v2_url("notifications:list") + "?limit=2", "notifications")
    assert [len(page) for page in pages] == [2, 1]


def test_the_last_page_has_no_next_link(api_client):
    ArticleFactory()
    body = api_client.get(v2_url("articles:list")).json()
    assert body["nextCursor"] is None
    assert body["links"] == {"next": None}
