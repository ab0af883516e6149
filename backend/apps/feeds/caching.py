"""
Personal feeds read from timelines (apps.feeds.timelines, docs/feeds.md), and the one cached read
they need of their own: which authors are read at read time instead of being fanned out
(apps.feeds.models.FanoutOnReadAuthor), few, read by every feed page, changed only when an author
passes the threshold.

A page is: whom the reader follows and the read-at-read-time authors (cached entries), the articles
whose fan-out has not run (pending rows), the reader's timeline (one Redis read, rebuilt from the
database when missing), merged with what it cannot hold yet (the newest articles of the
read-at-read-time authors and of follows not backfilled yet), then hydrated from the articles'
shared entries (apps.articles.caching). Whatever the timeline holds is only a hint of *which*
articles: the reader's current follows filter it and the articles' entries say what they are, so an
unfollow, an edit or a delete shows at once.

The first page is a cached entry per (reader, limit, followed authors) that depends on the
AUTHOR_ARTICLES stamp of each followed author: a publish or a delete reloads the first pages of the
author's followers and no one else's; a fan-out or a backfill moves no stamp at all.
"""

from collections.abc import Iterable
from typing import NamedTuple, TypedDict

from django.conf import settings

from apps.api.serializers import datetime_to_str
from apps.articles.caching import AUTHOR_ARTICLES, article_entries
from apps.articles.selectors import ArticlePage, ArticleRow, article_page
from apps.caching.generations import CACHE_ERRORS, trip_cache_breaker
from apps.caching.reads import CachedEntry, Each, Stamp, invalidation, read_many, read_uncached, single
from apps.core.types import Cursor, PageParams
from apps.feeds.selectors import (
    fanout_on_read_author_ids,
    feed_count,
    newest_rows,
    pending_rows,
)
from apps.feeds.timelines import (
    Timeline,
    TimelineRow,
    microseconds,
    moment,
    timeline_begin,
    timeline_fill,
    timeline_read,
)
from apps.profiles.caching import FOLLOWEES
from apps.users.models import User

FANOUT_ON_READ_TTL = 3600
FEED_PAGE_TTL = 300
# Rows read beyond a page, so that articles deleted since they entered a timeline do not shorten it.
DELETED_SLACK = 10

FANOUT_ON_READ = Stamp("fanout-on-read")  # the set of authors read at read time

# The ids of the authors read at read time (the parameter is None: one entry).
FANOUT_ON_READ_AUTHORS = CachedEntry[None, list[int]](
    name="feeds.fanout_on_read_authors",
    ttl=FANOUT_ON_READ_TTL,
    load=lambda params, using: {param: fanout_on_read_author_ids(using=using) for param in params},
    depends_on=((FANOUT_ON_READ, single),),
)


class FeedIds(TypedDict):
    """A page of a reader's feed without its articles: its rows (one more if a next page exists), and the count."""

    rows: list[ArticleRow]
    count: int


class FirstPage(NamedTuple):
    """
    Which first page: its reader, its size and the authors they follow, sorted. The authors are part
    of the entry's key, so that an entry answers for one set of follows only: a follow or an unfollow
    reads another entry, never one loaded for the follows of before.
    """

    reader: int
    limit: int
    authors: tuple[int, ...]


def _authors(param: FirstPage) -> Each:
    return Each(param.authors)


# The first page of a reader's feed: the newest articles of the authors they follow, whichever way
# they were found (timeline, pending rows, read-time merge: docs/feeds.md), so it changes only when
# one of those authors publishes or deletes. A fan-out, a backfill or a lost timeline moves no stamp.
# The read-time authors are a stamp of their own: an author's promotion moves their next articles out
# of the timelines, and a page loaded meanwhile must not be kept.
FEED_FIRST_PAGE = CachedEntry[FirstPage, FeedIds](
    name="feeds.first_page",
    ttl=FEED_PAGE_TTL,
    load=lambda params, using: {
        param: _feed_ids(param.reader, set(param.authors), limit=param.limit, offset=0, cursor=None, using=using)
        for param in params
    },
    depends_on=((AUTHOR_ARTICLES, _authors), (FANOUT_ON_READ, single)),
)


# ------------------------------------------------------------------------------
# Reads
# ------------------------------------------------------------------------------
def feed_page(*, user: User, page: PageParams) -> ArticlePage:
    """
    One page of `user`'s feed as shared entries, its total (counter rows) and the next page's cursor.
    The first page (the one every reader opens) is a cached entry, so its response can be kept for
    its reader (apps.api.http_caching); deeper pages are computed each time, and not kept.
    """
    limit, offset, cursor = page["limit"], page["offset"], page["cursor"]
    [followees] = read_many([(FOLLOWEES, [user.pk])])
    followed = set(followees.get(user.pk) or ())
    if not followed:
        ids: FeedIds = {"rows": [], "count": 0}
    elif offset == 0 and cursor is None:
        first = FirstPage(user.pk, limit, tuple(sorted(followed)))
        [pages] = read_many([(FEED_FIRST_PAGE, [first])])
        ids = pages[first]
    else:
        read_uncached()  # its ids are read fresh: its ETag is made of its content
        ids = _feed_ids(user.pk, followed, limit=limit, offset=offset, cursor=cursor)
    rows = ids["rows"]
    return article_page(article_entries(rows[:limit]), rows, ids["count"], limit=limit)


def _feed_ids(
    user_id: int, followed: set[int], *, limit: int, offset: int, cursor: Cursor | None, using: str | None = None
) -> FeedIds:
    """
    The rows of one page of the feed of the authors `followed` (one more if a next page exists) and
    its count, read from the database alias `using` (the primary when the result is cached:
    apps.caching.reads).
    """
    [read_time_authors] = read_many([(FANOUT_ON_READ_AUTHORS, [None])])
    count = feed_count(author_ids=followed, using=using)
    depth = offset + limit + 1
    candidates = _timeline_candidates(
        user_id,
        followed,
        set(read_time_authors.get(None) or ()),
        depth=depth + DELETED_SLACK,
        cursor=cursor,
        using=using,
    )
    if candidates is not None:
        listed = _article_rows(candidates)
        entries = article_entries(listed[:depth])  # an article deleted since it was listed has none
        if len(entries) < depth:  # some were: the rows read beyond the page fill it
            entries += article_entries(listed[depth:])
        if len(entries) >= depth or len(candidates) < depth + DELETED_SLACK:
            existing = {entry["id"] for entry in entries}
            return {"rows": [row for row in listed if row[0] in existing][offset:depth], "count": count}
    # No timeline (Redis down, the embedded default), or the page lies beyond what it holds: the pull path.
    rows = newest_rows(author_ids=followed, depth=depth, cursor=cursor, using=using)
    return {"rows": _article_rows(rows)[offset:], "count": count}


def _article_rows(rows: list[TimelineRow]) -> list[ArticleRow]:
    return [(row.article_id, row.author_id, datetime_to_str(moment(row.created_us))) for row in rows]


def _timeline_candidates(
    user_id: int,
    followed: set[int],
    read_time_authors: set[int],
    *,
    depth: int,
    cursor: Cursor | None,
    using: str | None,
    whole: bool = False,
    pending: list[TimelineRow] | None = None,
) -> list[TimelineRow] | None:
    """
    The newest `depth` articles (after `cursor`) of the followed authors, from the timeline and what
    is merged with it, newest first; None when the timeline is unavailable or holds too few.
    """
    # The pending rows before the timeline: a fan-out writes the timelines before it deletes its
    # pending row, so an article missing from one is in the other (no stamp moves with a fan-out).
    after = (microseconds(cursor.created_at), cursor.id) if cursor else None

    def shown(row: TimelineRow) -> bool:
        return row.author_id in followed and (after is None or (row.created_us, row.article_id) < after)

    if pending is None:
        pending = [row for row in pending_rows(author_ids=followed, using=using) if shown(row)]
    # A first page reads only the timeline's newest rows; a cursor's page or an unfollow may need them all.
    timeline = timeline_read(user_id, newest=None if cursor or whole else depth)
    if timeline is not None and not timeline.exists:
        timeline = _rebuilt(user_id, authors=followed - read_time_authors, using=using)
    if timeline is None:
        return None
    held = [row for row in timeline.rows if shown(row)]
    if len(held) < depth and not timeline.whole:
        return _timeline_candidates(
            user_id, followed, read_time_authors, depth=depth, cursor=cursor, using=using, whole=True, pending=pending
        )
    if timeline.truncated and len(held) < depth:
        return None  # older articles were dropped from it
    merged_authors = (followed & read_time_authors) | (followed - read_time_authors - timeline.authors)
    merged = newest_rows(author_ids=merged_authors, depth=depth, cursor=cursor, using=using)
    rows = {row.article_id: row for row in (*held, *merged, *pending)}
    return sorted(rows.values(), reverse=True)[:depth]


def _rebuilt(user_id: int, *, authors: set[int], using: str | None = None) -> Timeline | None:
    """The pull path: the reader's timeline rebuilt from the database (first read, or lost with Redis)."""
    if not timeline_begin(user_id):  # the marker first: fan-outs write into it while the database is read
        return None
    cap = settings.FEED_TIMELINE_MAX
    rows = newest_rows(author_ids=authors, depth=cap, using=using)
    try:
        timeline_fill(user_id, rows, authors=authors, truncated=len(rows) >= cap)
    except CACHE_ERRORS as exc:  # this page is still served from what was read
        trip_cache_breaker(exc)
    return Timeline(exists=True, rows=rows, authors=authors, truncated=len(rows) >= cap, whole=True)


# ------------------------------------------------------------------------------
# Writes: what each one invalidates (after its commit)
# ------------------------------------------------------------------------------
@invalidation(FANOUT_ON_READ)
def fanout_on_read_changed() -> Iterable[str]:
    """An author joined the authors read at read time."""
    return [FANOUT_ON_READ.key()]
