from typing import cast

import pytest
from django.core.cache import cache

from apps.articles.models import Article
from apps.comments.models import COMMENT_PAGE_MAX_SIZE, Comment
from tests.conftest import client_for
from tests.factories import ArticleFactory, CommentFactory, FollowFactory, UserFactory
from tests.helpers import (
    BLANK_VALUES,
    COMMENT_KEYS,
    api_url,
    assert_error,
    assert_post_rejects_blank,
    assert_timestamps,
    profile_of,
)

pytestmark = pytest.mark.django_db


def comments_url(slug: str) -> str:
    return api_url("comments:list", slug=slug)


def comment_url(slug: str, comment_id: int) -> str:
    return api_url("comments:detail", slug=slug, comment_id=comment_id)


def test_comment_create_returns_201_with_the_comment(auth_client, user):
    article = ArticleFactory()

    response = auth_client.post(comments_url(article.slug), {"comment": {"body": "Thank you so much!"}})

    assert response.status_code == 201
    comment = response.json()["comment"]
    assert set(comment) == COMMENT_KEYS
    assert isinstance(comment["id"], int)
    assert (comment["body"], comment["author"]) == ("Thank you so much!", profile_of(user))
    assert_timestamps(comment)
    assert Comment.objects.get(pk=comment["id"]).article == article


def test_comment_create_on_your_own_article_is_allowed(user, auth_client):
    article = ArticleFactory(author=user)
    assert auth_client.post(comments_url(article.slug), {"comment": {"body": "me"}}).status_code == 201


@pytest.mark.parametrize("value", [*BLANK_VALUES, "   "])
def test_comment_create_rejects_a_blank_body(auth_client, value):
    assert_post_rejects_blank(
        auth_client, comments_url(ArticleFactory().slug), "comment", {"body": "hi"}, "body", value
    )
    assert not Comment.objects.exists()


def test_comment_create_on_an_unknown_article_is_404(auth_client):
    response = auth_client.post(comments_url("no-such-article"), {"comment": {"body": "hi"}})
    assert_error(response, 404, "article", "not found")


def test_comment_list_works_anonymously_newest_first(api_client):
    article = ArticleFactory()
    older, newer = CommentFactory.create_batch(2, article=article)
    CommentFactory()  # on another article

    response = api_client.get(comments_url(article.slug))

    assert response.status_code == 200
    comments = response.json()["comments"]
    assert [c["id"] for c in comments] == [newer.pk, older.pk]
    assert set(comments[0]) == COMMENT_KEYS
    assert (comments[0]["body"], comments[0]["author"]) == (newer.body, profile_of(newer.author))
    assert_timestamps(comments[0])


def test_comment_list_shows_whether_the_viewer_follows_each_author(auth_client, user):
    article = ArticleFactory()
    followed, other = CommentFactory(article=article), CommentFactory(article=article)
    FollowFactory(follower=user, followee=followed.author)

    comments = {c["id"]: c for c in auth_client.get(comments_url(article.slug)).json()["comments"]}

    assert comments[followed.pk]["author"]["following"] is True
    assert comments[other.pk]["author"]["following"] is False


def test_comment_list_of_an_article_without_comments_is_empty(api_client):
    assert api_client.get(comments_url(ArticleFactory().slug)).json() == {"comments": [], "nextCursor": None}


def test_comment_list_of_an_unknown_article_is_404(api_client):
    assert_error(api_client.get(comments_url("no-such-article")), 404, "article", "not found")


def test_comment_delete_returns_204_and_removes_only_that_comment(auth_client, user):
    comment = CommentFactory(author=user)
    kept = CommentFactory(article=comment.article, author=user)

    response = auth_client.delete(comment_url(comment.article.slug, comment.pk))

    assert response.status_code == 204
    assert response.content == b""
    assert list(Comment.objects.all()) == [kept]


def test_comment_delete_by_the_article_author_who_did_not_write_it_is_403(user, auth_client):
    comment = CommentFactory(article=ArticleFactory(author=user))
    assert_error(auth_client.delete(comment_url(comment.article.slug, comment.pk)), 403, "comment", "forbidden")
    assert Comment.objects.exists()


def test_comment_delete_through_another_articles_slug_is_404(auth_client, user):
    comment = CommentFactory(author=user)
    response = auth_client.delete(comment_url(ArticleFactory().slug, comment.pk))
    assert_error(response, 404, "comment", "not found")
    assert Comment.objects.exists()


def test_comment_delete_with_an_id_too_large_for_the_database_is_404(auth_client):
    # Built by hand: reverse() refuses an id over 18 digits, as the URL pattern does.
    url = f"{comments_url(ArticleFactory().slug)}/{'9' * 19}"
    assert auth_client.delete(url).status_code == 404


# ------------------------------------------------------------------------------
# Pages: `limit` and `cursor`, newest first
# ------------------------------------------------------------------------------
def walk_comments(client, slug: str, limit: int) -> list[list[int]]:
    """Every page of the article's comments, followed by their cursors."""
    pages, cursor = [], None
    while True:
        body = client.get(comments_url(slug), {"limit": limit, **({"cursor": cursor} if cursor else {})}).json()
        pages.append([comment["id"] for comment in body["comments"]])
        cursor = body["nextCursor"]
        if cursor is None:
            return pages


@pytest.fixture
def seven_comments(db) -> tuple[str, list[int]]:
    """An article's slug and its seven comments' ids, newest first (two share a creation time)."""
    article = cast(Article, ArticleFactory())
    comments = CommentFactory.create_batch(7, article=article)
    Comment.objects.filter(pk=comments[3].pk).update(created_at=comments[4].created_at)
    return article.slug, [comment.pk for comment in reversed(comments)]


def test_comment_list_pages_walk_every_comment_newest_first_without_gaps_or_repeats(api_client, seven_comments):
    # Ref: #9
    slug, ids = seven_comments
    assert walk_comments(api_client, slug, 3) == [ids[0:3], ids[3:6], ids[6:7]]
    assert walk_comments(api_client, slug, 1) == [[id_] for id_ in ids]


def test_comment_list_answers_every_comment_of_a_small_article_by_default(api_client, seven_comments):
    # Ref: #9: RealWorld clients send no `limit` and expect them all.
    slug, ids = seven_comments
    body = api_client.get(comments_url(slug)).json()
    assert ([c["id"] for c in body["comments"]], body["nextCursor"]) == (ids, None)


def test_comment_list_answers_at_most_100_comments_a_page(api_client):
    # Ref: #9: five 1 MB comments made one comments response 5 MB; a page now has at most 100 bounded ones.
    article = ArticleFactory()
    Comment.objects.bulk_create(
        Comment(article=article, author=article.author, body=f"c{n}") for n in range(COMMENT_PAGE_MAX_SIZE + 1)
    )
    for params in ({}, {"limit": 1000}):
        body = api_client.get(comments_url(article.slug), params).json()
        assert len(body["comments"]) == COMMENT_PAGE_MAX_SIZE
        assert body["nextCursor"] is not None
    last = api_client.get(comments_url(article.slug), {"cursor": body["nextCursor"]}).json()
    assert (len(last["comments"]), last["nextCursor"]) == (1, None)


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("limit", 0, "Ensure this value is greater than or equal to 1."),
        ("limit", "x", "A valid integer is required."),
        ("cursor", "garbage", "is invalid"),
    ],
)
def test_comment_list_rejects_bad_paging_params(api_client, param, value, message):
    # Ref: #9
    assert_error(api_client.get(comments_url(ArticleFactory().slug), {param: value}), 422, param, message)


def test_comment_list_caches_each_page_under_its_own_key(seven_comments, django_assert_num_queries):
    # Ref: #9: a key without the page would answer every page with the first one cached.
    slug, ids = seven_comments
    client = client_for(UserFactory())  # signed in: no stored whole response, the shared page entry only
    first = client.get(comments_url(slug), {"limit": 3}).json()
    second = client.get(comments_url(slug), {"limit": 3, "cursor": first["nextCursor"]}).json()
    assert [c["id"] for c in second["comments"]] == ids[3:6]
    assert [c["id"] for c in client.get(comments_url(slug), {"limit": 2}).json()["comments"]] == ids[0:2]
    with django_assert_num_queries(2):  # warm: the token's user and the viewer's follows; no article, no comments
        again = client.get(comments_url(slug), {"limit": 3, "cursor": first["nextCursor"]})
    assert again.json() == second


def test_comment_list_runs_as_many_queries_for_a_deep_page_as_for_the_first(seven_comments, django_assert_num_queries):
    # Ref: #9
    slug, _ = seven_comments
    client = client_for(UserFactory())
    cursor = client.get(comments_url(slug), {"limit": 1}).json()["nextCursor"]
    for _ in range(5):
        cursor = client.get(comments_url(slug), {"limit": 1, "cursor": cursor}).json()["nextCursor"]
    cache.clear()
    # The token's user, the article, the page, the authors' profiles, the viewer's follows.
    with django_assert_num_queries(5):
        assert len(client.get(comments_url(slug), {"limit": 1, "cursor": cursor}).json()["comments"]) == 1
