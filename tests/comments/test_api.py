import pytest

from apps.comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory, FollowFactory
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
    assert api_client.get(comments_url(ArticleFactory().slug)).json() == {"comments": []}


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
    assert auth_client.delete(f"/api/v1/articles/{ArticleFactory().slug}/comments/{'9' * 19}").status_code == 404
