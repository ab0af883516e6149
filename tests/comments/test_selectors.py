import pytest
from django.contrib.auth.models import AnonymousUser

from apps.comments.models import Comment
from apps.comments.selectors import comment_get_for_author, comment_list_data
from apps.core.exceptions import NotFoundError, PermissionDeniedError
from tests.factories import ArticleFactory, CommentFactory, FollowFactory

pytestmark = pytest.mark.django_db


def comment_ids(slug: str, viewer=None) -> list[int]:
    page = comment_list_data(slug=slug, viewer=viewer or AnonymousUser(), versions=None)
    return [c["id"] for c in page.comments]


def test_comment_list_data_is_newest_first_with_id_breaking_ties():
    article = ArticleFactory()
    first, second, third = CommentFactory.create_batch(3, article=article)
    CommentFactory()  # on another article
    Comment.objects.filter(pk__in=[first.pk, second.pk]).update(created_at=third.created_at)

    assert comment_ids(article.slug) == [third.pk, second.pk, first.pk]


def test_comment_list_data_shows_whether_the_viewer_follows_each_author():
    follow = FollowFactory()
    comment = CommentFactory(author=follow.followee)

    [seen_by_follower] = comment_list_data(slug=comment.article.slug, viewer=follow.follower, versions=None).comments
    [seen_anonymously] = comment_list_data(slug=comment.article.slug, viewer=AnonymousUser(), versions=None).comments

    assert seen_by_follower["author"]["following"] is True
    assert seen_anonymously["author"]["following"] is False


def test_comment_list_data_of_an_unknown_article_raises_not_found():
    with pytest.raises(NotFoundError) as error:
        comment_ids("no-such-article")
    assert error.value.field == "article"


def test_comment_get_for_author_checks_existence_on_the_article_then_authorship():
    comment = CommentFactory()

    assert comment_get_for_author(article=comment.article, comment_id=comment.pk, user=comment.author) == comment
    with pytest.raises(NotFoundError):
        comment_get_for_author(article=ArticleFactory(), comment_id=comment.pk, user=comment.author)
    with pytest.raises(PermissionDeniedError) as error:
        comment_get_for_author(article=comment.article, comment_id=comment.pk, user=comment.article.author)
    assert error.value.field == "comment"
