import pytest

from apps.api.pagination import cursor_decode
from apps.articles.models import Article
from apps.feeds.caching import feed_page
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


def test_feed_page_pages_are_slices_of_the_feed_list_by_offset_and_by_cursor():
    # On PostgreSQL the page comes from each followed author's newest articles merged (LATERAL):
    # every page, by offset or by cursor, must be the same slice of the plain ordered feed.
    reader = UserFactory()
    authors = [follow.followee for follow in FollowFactory.create_batch(3, follower=reader)]
    for index in range(11):
        ArticleFactory(author=authors[index % 3 if index < 6 else 0])
    Article.objects.filter(pk__in=Article.objects.order_by("id").values("pk")[:4]).update(
        created_at=Article.objects.order_by("id").first().created_at
    )  # ties, broken by id
    expected = [article.slug for article in feed_list(user=reader)]

    for limit in (1, 2, 4, 20):
        by_offset = [
            entry["data"]["slug"]
            for offset in range(0, len(expected), limit)
            for entry in feed_page(user=reader, page={"limit": limit, "offset": offset, "cursor": None}).entries
        ]
        by_cursor, cursor = [], None
        while True:
            page = feed_page(user=reader, page={"limit": limit, "offset": 0, "cursor": cursor})
            by_cursor += [entry["data"]["slug"] for entry in page.entries]
            if page.next_cursor is None:
                break
            cursor = cursor_decode(page.next_cursor)
        assert by_offset == expected
        assert by_cursor == expected
