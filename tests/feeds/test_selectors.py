import pytest

from apps.articles.models import Article
from apps.feeds.selectors import feed_list
from tests.factories import ArticleFactory, FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_feed_list_is_the_followed_authors_articles_newest_first():
    reader = UserFactory()
    first, second = FollowFactory.create_batch(2, follower=reader)
    by_first, by_second = ArticleFactory(author=first.followee), ArticleFactory(author=second.followee)
    ArticleFactory()  # by an author the reader does not follow
    ArticleFactory(author=reader)  # the reader's own

    assert list(feed_list(user=reader)) == [by_second, by_first]


def test_feed_list_breaks_created_at_ties_by_newest_id():
    follow = FollowFactory()
    older, newer = ArticleFactory.create_batch(2, author=follow.followee)
    Article.objects.update(created_at=older.created_at)
    assert list(feed_list(user=follow.follower)) == [newer, older]
