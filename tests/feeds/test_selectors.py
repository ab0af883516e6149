import pytest

from apps.api.pagination import cursor_decode
from apps.articles.models import Article
from apps.core.types import Cursor
from apps.feeds import selectors as feeds_selectors
from apps.feeds.caching import feed_page
from apps.feeds.selectors import feed_list, newest_rows
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


@pytest.mark.parametrize("passes", ["one", "two"])
def test_newest_rows_across_many_authors_equal_the_ordered_feed_at_every_depth_and_cursor(passes, monkeypatch):
    """
    On PostgreSQL newest_rows reads each author's newest rows in one pass, or (many authors, deep)
    a few rows of every author, then more of those that may have more above the first pass's cut:
    one prolific author, many occasional ones and ties must all give exactly the newest rows of the
    plain ordered list, either way.
    """
    if passes == "two":
        monkeypatch.setattr(feeds_selectors, "ONE_PASS_MAX_ROWS", 0)
    reader = UserFactory()
    authors = [follow.followee for follow in FollowFactory.create_batch(12, follower=reader)]
    for index in range(60):  # author 0 writes half of them, the others a few each
        ArticleFactory(author=authors[0 if index % 2 else 1 + index % 11])
    tied = Article.objects.order_by("id").values("pk")[10:20]
    Article.objects.filter(pk__in=tied).update(created_at=Article.objects.order_by("id")[10].created_at)
    expected = [article.pk for article in feed_list(user=reader)]
    author_ids = [author.pk for author in authors]

    for depth in (1, 3, 5, 13, 40, 61, 100):
        assert [row.article_id for row in newest_rows(author_ids=author_ids, depth=depth)] == expected[:depth]
    for start in (0, 9, 15, 30):
        after = Article.objects.get(pk=expected[start])
        cursor = Cursor(created_at=after.created_at, id=after.pk)
        rows = newest_rows(author_ids=author_ids, depth=7, cursor=cursor)
        assert [row.article_id for row in rows] == expected[start + 1 : start + 8]
