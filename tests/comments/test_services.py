import pytest

from apps.comments.models import Comment
from apps.comments.services import comment_create, comment_delete
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_comment_create_stores_the_comment_on_the_article():
    article, author = ArticleFactory(), UserFactory()

    comment = comment_create(article=article, author=author, body="Nice")

    assert Comment.objects.get() == comment
    assert (comment.article, comment.author, comment.body) == (article, author, "Nice")


def test_comment_delete_removes_the_comment_only():
    comment, other = CommentFactory(), CommentFactory()
    comment_delete(comment=comment)
    assert list(Comment.objects.all()) == [other]
