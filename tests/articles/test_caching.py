"""
Cache invalidation through the API: a reader who warmed the cache sees every kind of write as soon
as the write's response has returned (on PostgreSQL + Redis in CI, locmem on the embedded default).
"""

import pytest

from apps.articles.caching import FAVORITES_COUNT, FULL, article_detail
from apps.caching.reads import read_many
from apps.profiles.caching import PROFILE
from tests.client import APIClient
from tests.conftest import client_for
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.helpers import api_url

pytestmark = pytest.mark.django_db

ARTICLES = api_url("articles:list")
TAGS = api_url("tags:list")


@pytest.fixture
def author(db):
    return UserFactory(bio="old bio")


@pytest.fixture
def article(author):
    return ArticleFactory(author=author, title="Old title", tags=["dragons"])


@pytest.fixture
def anonymous():
    return APIClient()


def warm(client, *urls):
    """Reads each URL twice, so that the second read is certainly served from the cache."""
    for url in urls:
        assert client.get(url).status_code == 200
        assert client.get(url).status_code == 200


def test_reads_are_served_from_the_cache_once_warm(anonymous, article, django_assert_num_queries):
    warm(
        anonymous,
        ARTICLES,
        api_url("articles:detail", slug=article.slug),
        TAGS,
        api_url("profiles:detail", username=article.author.username),
    )
    with django_assert_num_queries(0):
        anonymous.get(ARTICLES)
        anonymous.get(api_url("articles:detail", slug=article.slug))
        anonymous.get(TAGS)
        anonymous.get(api_url("profiles:detail", username=article.author.username))


def test_publishing_shows_in_lists_and_tags(anonymous, author):
    warm(anonymous, ARTICLES, TAGS)
    client_for(author).post(
        ARTICLES, {"article": {"title": "New", "description": "d", "body": "b", "tagList": ["fresh"]}}
    )
    assert anonymous.get(ARTICLES).json()["articles"][0]["title"] == "New"
    assert "fresh" in anonymous.get(TAGS).json()["tags"]


def test_editing_shows_in_detail_and_lists(anonymous, author, article):
    url = api_url("articles:detail", slug=article.slug)
    warm(anonymous, url, ARTICLES, TAGS)
    client_for(author).put(url, {"article": {"title": "New title", "tagList": ["wyverns"]}})
    assert anonymous.get(url).json()["article"]["title"] == "New title"
    assert anonymous.get(ARTICLES).json()["articles"][0]["title"] == "New title"
    assert anonymous.get(TAGS).json()["tags"] == ["wyverns"]


def test_deleting_removes_detail_comments_lists_and_tags(anonymous, author, article):
    url, comments = api_url("articles:detail", slug=article.slug), api_url("comments:list", slug=article.slug)
    warm(anonymous, url, comments, ARTICLES, TAGS)
    client_for(author).delete(url)
    assert anonymous.get(url).status_code == 404
    assert anonymous.get(comments).status_code == 404
    assert anonymous.get(ARTICLES).json() == {"articles": [], "articlesCount": 0, "nextCursor": None}
    assert anonymous.get(TAGS).json() == {"tags": []}


def test_favoriting_updates_counts_for_everyone_and_the_flag_for_the_reader(anonymous, article):
    reader = client_for(UserFactory())
    url, favorite = api_url("articles:detail", slug=article.slug), api_url("articles:favorite", slug=article.slug)
    warm(anonymous, url, ARTICLES)
    warm(reader, url, ARTICLES)
    reader.post(favorite)
    assert anonymous.get(url).json()["article"]["favoritesCount"] == 1
    assert anonymous.get(ARTICLES).json()["articles"][0]["favoritesCount"] == 1
    assert reader.get(ARTICLES).json()["articles"][0]["favorited"] is True
    reader.delete(favorite)
    assert anonymous.get(url).json()["article"]["favoritesCount"] == 0
    assert reader.get(url).json()["article"]["favorited"] is False


def test_commenting_and_deleting_a_comment_show_in_the_comment_list(anonymous, article):
    commenter = client_for(UserFactory())
    url = api_url("comments:list", slug=article.slug)
    warm(anonymous, url)
    comment_id = commenter.post(url, {"comment": {"body": "First!"}}).json()["comment"]["id"]
    assert [c["body"] for c in anonymous.get(url).json()["comments"]] == ["First!"]
    commenter.delete(api_url("comments:detail", slug=article.slug, comment_id=comment_id))
    assert anonymous.get(url).json()["comments"] == []


def test_following_updates_the_followers_flags_and_feed(author, article):
    reader = UserFactory()
    client = client_for(reader)
    urls = [
        api_url("profiles:detail", username=author.username),
        api_url("articles:detail", slug=article.slug),
        api_url("feeds:feed"),
    ]
    warm(client, *urls)
    client.post(api_url("profiles:follow", username=author.username))
    assert client.get(urls[0]).json()["profile"]["following"] is True
    assert client.get(urls[1]).json()["article"]["author"]["following"] is True
    assert client.get(urls[2]).json()["articlesCount"] == 1


def test_a_profile_edit_shows_wherever_the_profile_is_embedded(anonymous, author, article):
    CommentFactory(article=article, author=author)
    urls = [api_url("articles:detail", slug=article.slug), ARTICLES, api_url("comments:list", slug=article.slug)]
    warm(anonymous, *urls, api_url("profiles:detail", username=author.username))
    client_for(author).put(api_url("users:current"), {"user": {"bio": "new bio"}})
    assert anonymous.get(urls[0]).json()["article"]["author"]["bio"] == "new bio"
    assert anonymous.get(urls[1]).json()["articles"][0]["author"]["bio"] == "new bio"
    assert anonymous.get(urls[2]).json()["comments"][0]["author"]["bio"] == "new bio"
    assert anonymous.get(api_url("profiles:detail", username=author.username)).json()["profile"]["bio"] == "new bio"


def test_shared_entries_hold_no_viewer_flags(article, django_assert_num_queries):
    reader = UserFactory()
    client_for(reader).post(api_url("profiles:follow", username=article.author.username))
    client_for(reader).post(api_url("articles:favorite", slug=article.slug))
    assert client_for(reader).get(api_url("articles:detail", slug=article.slug)).json()["article"]["favorited"] is True
    with django_assert_num_queries(0):  # what the reader's request stored
        entry = article_detail(slug=article.slug)
        contents, counts, profiles = read_many(
            [(FULL, [article.pk]), (FAVORITES_COUNT, [article.pk]), (PROFILE, [article.author_id])]
        )
    assert entry["id"] == article.pk
    assert (entry["data"]["favoritesCount"], counts[article.pk]) == (1, 1)
    assert "favorited" not in entry["data"]
    assert "favorited" not in contents[article.pk]
    assert "following" not in entry["data"]["author"]
    assert "following" not in profiles[article.author_id]
