from typing import cast

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.articles import selectors
from apps.articles.caching import article_detail, article_list_page
from apps.articles.counts import article_count_get
from apps.articles.models import Article
from apps.articles.selectors import (
    ArticleListQuery,
    article_get_for_author,
    article_get_plain,
    article_id_pages,
    article_list,
    articles_for_viewer,
    favorited_ids,
)
from apps.articles.services import article_favorite
from apps.core.exceptions import NotFoundError, PermissionDeniedError
from apps.users.models import User
from tests.factories import ArticleFactory, FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


NO_FILTERS = {"tag": None, "author": None, "favorited": None}


def list_query(*, tag: str | None = None, author: str | None = None, favorited: str | None = None) -> ArticleListQuery:
    """The first page (of 20) of the list with these filters."""
    return ArticleListQuery(tag=tag, author=author, favorited=favorited, limit=20, offset=0, cursor=None)


def test_article_list_filters_combine():
    jake = UserFactory(username="jake")
    match = ArticleFactory(author=jake, tags=["dragons"])
    ArticleFactory(author=jake, tags=["other"])
    ArticleFactory(tags=["dragons"])

    assert list(article_list(query=list_query(tag="dragons", author="jake"))) == [match]


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"tag": "dragons"},
        {"tag": "nobody-uses-it"},
        {"author": "jake"},
        {"author": "nobody"},
        {"favorited": "jake"},
        {"tag": "dragons", "author": "jake"},
        {"tag": "dragons", "favorited": "jake"},
    ],
)
def test_article_list_count_equals_the_lists_length(filters):
    jake = UserFactory(username="jake")
    for tags in (["dragons", "training"], ["dragons"], [], ["training"]):
        article = ArticleFactory(author=jake, tags=tags)
        article_favorite(user=jake, slug=article.slug)
    ArticleFactory(tags=["dragons", "other"])
    query = list_query(**filters)
    length = len(article_list(query=query))

    # A counter row for one filter or none; counted within the filters when they are combined.
    counter = article_count_get(tag=query.tag, author=query.author, favorited=query.favorited)
    assert counter == (None if len(filters) > 1 else length)
    assert article_id_pages([query])[query]["count"] == length
    assert article_list_page(query=query).count == length


def test_article_list_filters_by_favoriting_user():
    jake = UserFactory(username="jake")
    favorite = ArticleFactory()
    ArticleFactory()
    article_favorite(user=jake, slug=favorite.slug)
    article_favorite(user=UserFactory(), slug=favorite.slug)

    assert list(article_list(query=list_query(favorited="jake"))) == [favorite]


def test_article_list_is_newest_first_with_id_breaking_ties():
    older, newer = ArticleFactory.create_batch(2)
    Article.objects.update(created_at=older.created_at)
    assert list(article_list(query=list_query())) == [newer, older]


def test_favorited_ids_are_the_viewers_favorites_among_the_given_articles():
    viewer = UserFactory()
    favorite, other, unasked = ArticleFactory.create_batch(3)
    for article in (favorite, unasked):
        article_favorite(user=viewer, slug=article.slug)
    article_favorite(user=UserFactory(), slug=other.slug)

    assert favorited_ids(viewer=viewer, article_ids={favorite.pk, other.pk}) == {favorite.pk}
    assert favorited_ids(viewer=AnonymousUser(), article_ids={favorite.pk}) == set()


def test_articles_for_viewer_lays_the_viewer_flags_over_the_shared_entry():
    follow = FollowFactory()
    article = ArticleFactory(author=follow.followee, tags=["b", "a"])
    article_favorite(user=follow.follower, slug=article.slug)
    entry = article_detail(slug=article.slug)

    [seen] = articles_for_viewer([entry], viewer=follow.follower)
    [anonymous] = articles_for_viewer([entry], viewer=AnonymousUser())

    assert (seen["favorited"], seen["favoritesCount"], seen["author"]["following"]) == (True, 1, True)
    assert (anonymous["favorited"], anonymous["favoritesCount"], anonymous["author"]["following"]) == (False, 1, False)
    assert (seen["body"], seen["tagList"]) == (article.body, ["a", "b"])
    assert "favorited" not in entry["data"]
    assert "following" not in entry["data"]["author"]  # the shared entry is left as it was


@pytest.mark.parametrize(
    "select",
    [
        lambda slug: article_detail(slug=slug),
        lambda slug: article_get_plain(slug=slug),
        lambda slug: article_get_for_author(slug=slug, user=cast(User, UserFactory())),
    ],
    ids=["detail", "get_plain", "get_for_author"],
)
def test_article_selectors_raise_not_found_for_an_unknown_slug(select):
    with pytest.raises(NotFoundError) as error:
        select("no-such-article")
    assert error.value.field == "article"


def test_article_get_for_author_refuses_anyone_but_the_author():
    article = ArticleFactory()

    assert article_get_for_author(slug=article.slug, user=article.author) == article
    with pytest.raises(PermissionDeniedError) as error:
        article_get_for_author(slug=article.slug, user=UserFactory())
    assert error.value.field == "article"


@pytest.mark.parametrize("walk", [False, True], ids=["member ids first", "newest-first walk"])
def test_a_tag_or_favorites_page_is_the_same_read_either_way(monkeypatch, walk):
    # Ref: #11: a list with few members is read member ids first (a rare tag made PostgreSQL walk every
    # article); both ways give the same pages, deep ones and cursor ones included.
    if walk:
        monkeypatch.setattr(selectors, "FEW_MEMBERS_MAX", -1)
    fan = cast(User, UserFactory(username="fan"))
    for n in range(7):
        article = cast(Article, ArticleFactory(tags=["rare"] if n % 2 else ["rare", "common"]))
        if n % 3:
            article_favorite(user=fan, slug=article.slug)
    ArticleFactory.create_batch(20, tags=["common"])  # enough that the small lists count as few
    for filters in ({"tag": "rare"}, {"favorited": "fan"}):
        expected = list(article_list(query=list_query(**filters)).values_list("pk", flat=True))
        first = ArticleListQuery(**{**NO_FILTERS, **filters}, limit=3, offset=0, cursor=None)
        deep = first._replace(offset=3)
        pages = article_id_pages([first, deep])
        assert [row[0] for row in pages[first]["rows"]] == expected[:4]  # one more: a next page exists
        assert [row[0] for row in pages[deep]["rows"]] == expected[3:7]
        assert pages[first]["count"] == len(expected)


def test_list_entries_do_not_read_the_body_an_article_entry_does(django_assert_num_queries):
    article = cast(Article, ArticleFactory(body="The body, which only the article's own page shows."))

    with django_assert_num_queries(2) as listed:  # the rows with their authors, then the tags
        parts = selectors.article_parts([article.pk])
    with django_assert_num_queries(2) as whole:
        whole_parts = selectors.article_parts([article.pk], with_body=True)

    assert "body" not in parts.contents[article.pk]
    assert '"body"' not in listed.captured_queries[0]["sql"]  # not read, nor fetched from TOAST
    assert whole_parts.contents[article.pk]["body"] == "The body, which only the article's own page shows."
    assert '"body"' in whole.captured_queries[0]["sql"]
