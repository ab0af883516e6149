"""
Feeds read from timelines (apps.feeds, docs/feeds.md) against real Redis and the test database: each
test compares the feed with its definition (`feed_list`: the followed authors' articles, newest first)
after every step. The fan-out and follow tasks are called here as the worker would run them, in the
order the test chooses, so that each interleaving is played exactly (eager tasks may run them once
more on commit: they are idempotent, which the tests rely on too).
"""

import json
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.core.cache import cache

from apps.articles.caching import article_published
from apps.articles.models import Article
from apps.caching.generations import reset_cache_breaker, trip_cache_breaker
from apps.feeds import caching as feeds_caching
from apps.feeds.caching import feed_page
from apps.feeds.models import FanoutOnReadAuthor, PendingFanout
from apps.feeds.selectors import feed_list, newest_rows
from apps.feeds.services import timelines_article_published, timelines_follow_changed
from apps.feeds.timelines import timeline_begin, timeline_fill, timeline_keys, timeline_read, timelines_enabled
from apps.feeds.views import FeedApi
from apps.users.models import User
from apps.users.services import user_issue_token, user_revoke_tokens
from tests.caching.test_responses import gets_reaching, wsgi_get
from tests.celery_helpers import broker, dead_broker_url
from tests.client import on_commit_callbacks
from tests.conftest import client_for
from tests.factories import ArticleFactory, FollowFactory, UserFactory
from tests.helpers import api_url

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not timelines_enabled(), reason="timelines live in Redis: set REDIS_URL"),
]

FEED_URL = api_url("feeds:feed")


def feed(reader: User, **params: Any) -> tuple[list[str], int]:
    body = client_for(reader).get(FEED_URL, params).json()
    return [item["slug"] for item in body["articles"]], body["articlesCount"]


def expected(reader: User, *, limit: int = 20, offset: int = 0) -> tuple[list[str], int]:
    articles = feed_list(user=reader)
    return [article.slug for article in articles[offset : offset + limit]], articles.count()


def timeline_ids(reader: User) -> list[int]:
    timeline = timeline_read(reader.pk)
    assert timeline is not None and timeline.exists
    return [row.article_id for row in timeline.rows]


def publish(author: User, title: str = "News") -> Article:
    payload = {"article": {"title": title, "description": "d", "body": "b", "tagList": []}}
    response = client_for(author).post(api_url("articles:list"), payload)
    assert response.status_code == 201, response.content
    return Article.objects.get(slug=response.json()["article"]["slug"])


def follow(reader: User, author: User, *, following: bool = True) -> None:
    url = api_url("profiles:follow", username=author.username)
    response = client_for(reader).post(url) if following else client_for(reader).delete(url)
    assert response.status_code == 200, response.content


@pytest.fixture(autouse=True)
def _breaker_reset() -> Iterator[None]:
    reset_cache_breaker()
    yield
    reset_cache_breaker()


@pytest.fixture
def reader() -> User:
    return cast(User, UserFactory(username="reader"))


@pytest.fixture
def authors(reader: User) -> list[User]:
    """Two authors the reader follows, with three articles each, and one the reader does not follow."""
    followed = [cast(User, UserFactory(username=name)) for name in ("ann", "ben")]
    for author in followed:
        FollowFactory(follower=reader, followee=author)
        ArticleFactory.create_batch(3, author=author)
    ArticleFactory.create_batch(2, author=UserFactory(username="stranger"))
    return followed


def test_the_first_read_rebuilds_the_timeline_then_pages_come_from_it(reader, authors, django_assert_max_num_queries):
    assert feed(reader) == expected(reader)
    assert timeline_ids(reader) == list(feed_list(user=reader).values_list("pk", flat=True))
    cache.delete(f"entry:profiles.followees:{reader.pk}")  # not the timeline: the next read must not rebuild it
    with django_assert_max_num_queries(3):  # whom they follow (reloaded), the count, the pending fan-outs
        page = feed_page(user=reader, page={"limit": 20, "offset": 0, "cursor": None})
    assert [entry["data"]["slug"] for entry in page.entries] == expected(reader)[0]


def test_a_publish_shows_at_once_and_its_fan_out_writes_each_timeline_once(reader, authors):
    feed(reader)  # the timeline exists
    article = publish(authors[0], "Fresh")
    assert feed(reader) == expected(reader)  # merged from its pending row, whether the fan-out ran or not
    timelines_article_published(article_id=article.pk)
    timelines_article_published(article_id=article.pk)  # a redelivery
    assert timeline_ids(reader).count(article.pk) == 1
    assert timeline_ids(reader)[0] == article.pk
    assert not PendingFanout.objects.filter(article=article).exists()
    assert feed(reader) == expected(reader)


def test_an_article_whose_fan_out_has_not_run_is_merged_from_its_pending_row(reader, authors):
    """A broker outage, a busy worker: the fan-out is late, the feed is not."""
    feed(reader)
    article = ArticleFactory(author=authors[1], title="Waiting")  # committed, never fanned out
    with on_commit_callbacks(execute=True):  # what the publish's hook writes, and its invalidation
        PendingFanout.objects.create(article=article, author=authors[1], created_at=article.created_at)
        article_published(slug=article.slug, author=authors[1].username, author_id=authors[1].pk, tags=[])
    assert article.pk not in timeline_ids(reader)
    assert feed(reader) == expected(reader)
    assert expected(reader)[0][0] == article.slug


def test_authors_above_the_threshold_are_read_at_read_time_on_both_sides(reader, authors, settings):
    settings.FEED_FANOUT_MAX_FOLLOWERS = 1
    star, small = authors  # the star gains a second follower; the small author keeps one
    FollowFactory(follower=UserFactory(), followee=star)
    feed(reader)
    from_star, from_small = publish(star, "Star"), publish(small, "Small")
    timelines_article_published(article_id=from_star.pk)
    timelines_article_published(article_id=from_small.pk)
    assert FanoutOnReadAuthor.objects.filter(author=star).exists()
    assert not FanoutOnReadAuthor.objects.filter(author=small).exists()
    assert from_star.pk not in timeline_ids(reader)  # never written: merged at read time
    assert from_small.pk in timeline_ids(reader)
    assert feed(reader) == expected(reader)
    # Sticky: back under the threshold, the star is still read at read time (their articles are in no timeline).
    settings.FEED_FANOUT_MAX_FOLLOWERS = 10
    later = publish(star, "Later")
    timelines_article_published(article_id=later.pk)
    assert later.pk not in timeline_ids(reader)
    assert feed(reader) == expected(reader)


def test_a_follow_shows_the_authors_articles_before_its_backfill_and_an_unfollow_hides_them_at_once(reader, authors):
    newcomer = cast(User, UserFactory(username="newcomer"))
    ArticleFactory.create_batch(2, author=newcomer)
    feed(reader)
    follow(reader, newcomer)
    assert feed(reader) == expected(reader)  # merged: the backfill may not have run
    timelines_follow_changed(follower_id=reader.pk, followee_id=newcomer.pk)
    timeline = timeline_read(reader.pk)
    assert timeline is not None and newcomer.pk in timeline.authors
    assert set(newcomer.articles.values_list("pk", flat=True)) <= set(timeline_ids(reader))
    assert feed(reader) == expected(reader)

    follow(reader, newcomer, following=False)
    # As if the unfollow's task had not run yet (an eager one ran on commit): the timeline still holds them.
    timeline_fill(reader.pk, newest_rows(author_ids=[newcomer.pk], depth=10), authors=[newcomer.pk], truncated=False)
    assert set(newcomer.articles.values_list("pk", flat=True)) <= set(timeline_ids(reader))
    assert feed(reader) == expected(reader)  # filtered at once by whom the reader follows now
    timelines_follow_changed(follower_id=reader.pk, followee_id=newcomer.pk)
    assert not set(newcomer.articles.values_list("pk", flat=True)) & set(timeline_ids(reader))


def test_an_unfollow_then_a_follow_again_before_the_tasks_run(reader, authors):
    """The tasks act on the follow as it is when they run: run late, in any order, they agree with it."""
    feed(reader)
    follow(reader, authors[0], following=False)
    follow(reader, authors[0])
    timelines_follow_changed(follower_id=reader.pk, followee_id=authors[0].pk)  # the unfollow's task, late
    timelines_follow_changed(follower_id=reader.pk, followee_id=authors[0].pk)
    assert feed(reader) == expected(reader)
    assert set(authors[0].articles.values_list("pk", flat=True)) <= set(timeline_ids(reader))


def test_a_publish_racing_a_follow_reaches_the_new_follower(reader, authors):
    """The fan-out read the followers before the follow: the follow's backfill brings the article."""
    newcomer = cast(User, UserFactory(username="newcomer"))
    feed(reader)
    article = publish(newcomer, "Racing")
    timelines_article_published(article_id=article.pk)  # the reader did not follow yet
    follow(reader, newcomer)
    assert feed(reader)[0][0] == article.slug  # a pending follow: merged
    timelines_follow_changed(follower_id=reader.pk, followee_id=newcomer.pk)
    assert article.pk in timeline_ids(reader)
    assert feed(reader) == expected(reader)


def test_a_rebuild_racing_a_publish_keeps_the_article(reader, authors):
    """The rebuild sets its marker before reading the database: a fan-out in between writes into it."""
    started = timeline_begin(reader.pk)
    assert started
    article = publish(authors[0], "Between")
    timelines_article_published(article_id=article.pk)
    followed = {author.pk for author in authors}
    feeds_caching._rebuilt(reader.pk, authors=followed)  # the rebuild's database read, after the publish
    assert timeline_ids(reader).count(article.pk) == 1
    assert feed(reader) == expected(reader)


def test_deletes_and_edits_show_at_once(reader, authors):
    feed(reader)
    newest, second = feed_list(user=reader)[:2]
    assert client_for(newest.author).delete(api_url("articles:detail", slug=newest.slug)).status_code == 204
    assert feed(reader) == expected(reader)  # gone, though the timeline still holds its id
    response = client_for(second.author).put(
        api_url("articles:detail", slug=second.slug), {"article": {"body": "Edited"}}
    )
    assert response.status_code == 200
    body = client_for(reader).get(FEED_URL).json()
    assert body["articles"][0]["slug"] == second.slug
    assert body["articles"][0]["description"] == second.description
    assert feed(reader) == expected(reader)


def test_a_timeline_lost_with_redis_is_rebuilt_on_the_next_read(reader, authors):
    before = feed(reader)
    cache.clear()  # a restart, an eviction, a flush
    assert feed(reader) == before == expected(reader)
    assert timeline_ids(reader)


def test_with_redis_down_the_feed_is_read_from_the_database(reader, authors):
    trip_cache_breaker(ConnectionError("down"))
    assert feed(reader) == expected(reader)


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_pages_beyond_the_capped_timeline_come_from_the_database(reader, authors, settings, limit):
    settings.FEED_TIMELINE_MAX = 3  # of 6 articles
    for author in authors:
        ArticleFactory.create_batch(2, author=author)
    total = feed_list(user=reader).count()
    for offset in range(0, total + 1, limit):
        assert feed(reader, limit=limit, offset=offset) == expected(reader, limit=limit, offset=offset)
    timeline = timeline_read(reader.pk)
    assert timeline is not None and timeline.truncated and len(timeline.rows) == 3
    slugs, cursor = [], None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = client_for(reader).get(FEED_URL, params).json()
        slugs += [item["slug"] for item in body["articles"]]
        cursor = body.get("nextCursor")
        if not cursor:
            break
    assert slugs == expected(reader, limit=total)[0]


def feed_body(reader: User) -> dict[str, Any]:
    """The first page through the whole stack, the WSGI layer in front of Django included (config.wsgi)."""
    answer = wsgi_get(FEED_URL, Authorization=f"Token {token_of(reader)}")
    assert answer.status == 200, answer.body
    return json.loads(answer.body)


_tokens: dict[int, str] = {}


def token_of(user: User) -> str:
    """One token per user for the whole test, as a client keeps its token."""
    if user.pk not in _tokens:
        _tokens[user.pk] = user_issue_token(user=user)
    return _tokens[user.pk]


def fresh_feed_body(reader: User) -> dict[str, Any]:
    """The same page read past every cache (as with Redis down): what the kept one must equal."""
    trip_cache_breaker(ConnectionError("test: read the database"))
    try:
        return client_for(reader).get(FEED_URL).json()
    finally:
        reset_cache_breaker()


def test_the_first_page_is_kept_for_its_reader_until_a_write_changes_it(
    reader, authors, django_assert_num_queries, feed_view_calls
):
    """
    Kept whole per token in front of Django (apps.caching.responses), and fresh after every kind of
    write that shows in it, by the write's own invalidation: the tasks do not run (a dead broker),
    unless the test runs them.
    """
    _tokens.clear()
    with broker(dead_broker_url()):
        check_kept_first_page(reader, authors, django_assert_num_queries, feed_view_calls)


@pytest.fixture
def feed_view_calls(monkeypatch) -> list[str]:
    return gets_reaching(FeedApi, monkeypatch)


def check_kept_first_page(reader: User, authors: list[User], django_assert_num_queries: Any, calls: list[str]) -> None:
    other = cast(User, UserFactory(username="other"))
    newcomer = cast(User, UserFactory(username="newcomer"))
    ArticleFactory(author=newcomer)
    feed_body(reader)
    with django_assert_num_queries(0):  # answered in front of Django: not even the token's user
        kept = feed_body(reader)
    assert len(calls) == 1
    assert kept == fresh_feed_body(reader)
    newest = feed_list(user=reader)[0]

    def fanned_out() -> None:
        article = publish(authors[0], "Kept?")
        with on_commit_callbacks(execute=True):  # the task's invalidations land, as outside a test's transaction
            timelines_article_published(article_id=article.pk)

    writes = {
        "publish by a followed author": lambda: publish(authors[1], "Fresh"),
        "a publish and its fan-out": fanned_out,
        "the reader favorites": lambda: client_for(reader).post(api_url("articles:favorite", slug=newest.slug)),
        "someone else favorites": lambda: client_for(other).post(api_url("articles:favorite", slug=newest.slug)),
        "the author edits": lambda: client_for(newest.author).put(
            api_url("articles:detail", slug=newest.slug), {"article": {"description": "Edited"}}
        ),
        "the author edits their bio": lambda: client_for(newest.author).put(
            api_url("users:current"), {"user": {"bio": "New bio"}}
        ),
        "follow": lambda: follow(reader, newcomer),
        "unfollow": lambda: follow(reader, newcomer, following=False),
        "delete": lambda: client_for(newest.author).delete(api_url("articles:detail", slug=newest.slug)),
    }
    for name, write in writes.items():
        before = feed_body(reader)
        write()
        after = feed_body(reader)
        assert after == fresh_feed_body(reader), name
        assert after != before, f"{name}: nothing changed"


def test_writes_that_do_not_show_in_a_feed_leave_its_kept_page_kept(reader, authors, feed_view_calls):
    """
    Under a busy site's writes a reader's first page stays kept: only their followed authors'
    publishes and deletes move its stamps, not every publish of the site, and no fan-out, backfill or
    lost timeline does (the page is the same whichever way its articles were found).
    """
    _tokens.clear()
    stranger = User.objects.get(username="stranger")
    someone = cast(User, UserFactory(username="someone"))
    shown = publish(authors[0], "Shown")  # its fan-out is pending until the test runs it
    feed_body(reader)
    kept = feed_body(reader)
    assert len(feed_view_calls) == 1

    def fan_out_of_a_shown_article() -> None:
        with on_commit_callbacks(execute=True):
            timelines_article_published(article_id=shown.pk)

    def backfill_of_a_follow_already_shown() -> None:
        with on_commit_callbacks(execute=True):
            timelines_follow_changed(follower_id=reader.pk, followee_id=authors[1].pk)

    writes = {
        "a publish by an author the reader does not follow": lambda: publish(stranger, "Elsewhere"),
        "a delete by an author the reader does not follow": lambda: client_for(stranger).delete(
            api_url("articles:detail", slug=Article.objects.filter(author=stranger).first().slug)
        ),
        "someone else follows an author the reader follows": lambda: follow(someone, authors[0]),
        "the fan-out of an article the page shows already": fan_out_of_a_shown_article,
        "a backfill of what the page shows already": backfill_of_a_follow_already_shown,
        "the reader's timeline evicted": lambda: cache.redis_client().delete(*timeline_keys(reader.pk)),
    }
    for name, write in writes.items():
        write()
        assert feed_body(reader) == kept, name
        assert len(feed_view_calls) == 1, f"{name}: the kept page was dropped"
    assert kept == fresh_feed_body(reader)


def test_a_fan_out_between_the_reads_of_a_first_page_cannot_hide_its_article(reader, authors, monkeypatch):
    """
    No stamp moves with a fan-out, so a first page loaded while one runs must list its article:
    the loader reads the pending rows before the timeline, which the fan-out writes first.
    """
    feed(reader)  # the timeline exists
    with broker(dead_broker_url()):  # the fan-out waits for the test
        article = publish(authors[0], "Racing")
    assert article.pk not in timeline_ids(reader)
    fanned_out = []

    def fan_out_after(read):
        def reading(*args, **kwargs):
            result = read(*args, **kwargs)
            if not fanned_out:  # the fan-out runs right after the first of the two reads
                fanned_out.append(timelines_article_published(article_id=article.pk))
            return result

        return reading

    monkeypatch.setattr(feeds_caching, "pending_rows", fan_out_after(feeds_caching.pending_rows))
    monkeypatch.setattr(feeds_caching, "timeline_read", fan_out_after(feeds_caching.timeline_read))
    assert feed(reader)[0][0] == article.slug
    assert fanned_out == [1]
    monkeypatch.undo()
    assert feed(reader) == expected(reader)  # the page stored during the race is the right one


def test_a_kept_page_never_reaches_another_token_a_revoked_one_or_a_forged_one(reader, authors):
    """Kept per token, made of the user's tokens' stamp: what could leak it is refused by Django."""
    _tokens.clear()
    first = token_of(reader)
    assert wsgi_get(FEED_URL, Authorization=f"Token {first}").status == 200  # kept now
    assert wsgi_get(FEED_URL, Authorization=f"Token {first}").status == 200  # answered from it
    stranger = cast(User, UserFactory(username="stranger2"))
    theirs = wsgi_get(FEED_URL, Authorization=f"Token {user_issue_token(user=stranger)}")
    assert json.loads(theirs.body)["articlesCount"] == 0  # their own (empty) feed, not the reader's

    header, payload, signature = first.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}{'AA' if not signature.endswith('AA') else 'BB'}"
    assert wsgi_get(FEED_URL, Authorization=f"Token {forged}").status == 401
    assert wsgi_get(FEED_URL, Authorization=f"Bearer {first}", Origin="https://elsewhere.example").status == 200

    second = user_issue_token(user=reader)
    with on_commit_callbacks(execute=True):
        user_revoke_tokens(user=reader)  # "sign out everywhere": every token so far, the kept one's too
    assert wsgi_get(FEED_URL, Authorization=f"Token {first}").status == 401
    assert wsgi_get(FEED_URL, Authorization=f"Token {second}").status == 401
