import pytest
from django.contrib.auth.models import AnonymousUser

from apps.comments.caching import comment_list_page
from apps.comments.models import COMMENT_PAGE_MAX_SIZE, Comment
from apps.comments.selectors import comment_get_for_author
from apps.core.exceptions import NotFoundError, PermissionDeniedError
from apps.profiles.selectors import with_author_following
from tests.factories import ArticleFactory, CommentFactory, FollowFactory

pytestmark = pytest.mark.django_db


def comment_ids(slug: str) -> list[int]:
    return [entry["id"] for entry in comment_list_page(slug=slug, limit=COMMENT_PAGE_MAX_SIZE).entries]


def test_comment_list_page_is_newest_first_with_id_breaking_ties():
    article = ArticleFactory()
    first, second, third = CommentFactory.create_batch(3, article=article)
    CommentFactory()  # on another article
    Comment.objects.filter(pk__in=[first.pk, second.pk]).update(created_at=third.created_at)

    assert comment_ids(article.slug) == [third.pk, second.pk, first.pk]


def test_with_author_following_shows_whether_the_viewer_follows_each_comments_author():
    follow = FollowFactory()
    comment = CommentFactory(author=follow.followee)
    entries = comment_list_page(slug=comment.article.slug, limit=COMMENT_PAGE_MAX_SIZE).entries

    [seen_by_follower] = with_author_following(entries, viewer=follow.follower)
    [seen_anonymously] = with_author_following(entries, viewer=AnonymousUser())

    assert seen_by_follower["author"]["following"] is True
    assert seen_anonymously["author"]["following"] is False


def test_comment_list_page_of_an_unknown_article_raises_not_found():
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
