"""
The database side of personal feeds: the reference query (`feed_list`), and the rows timelines are
built and merged from, which also serve a page when no timeline can (apps.feeds.caching).
"""

from collections.abc import Collection

from django.db import connections
from django.db.models import QuerySet, Sum
from django.db.models.expressions import RawSQL

from apps.api.pagination import page_slice
from apps.articles.models import Article, ArticleCount
from apps.core.types import Cursor
from apps.feeds.models import FanoutOnReadAuthor, PendingFanout
from apps.feeds.timelines import TimelineRow, microseconds
from apps.profiles.models import Follow
from apps.users.models import User


def feed_list(*, user: User) -> QuerySet[Article]:
    """Articles by the authors `user` follows, newest first: what every page of the feed is a slice of."""
    followed = Follow.objects.filter(follower=user).values("followee_id")
    return Article.objects.filter(author_id__in=followed).order_by("-created_at", "-id")


def feed_count(*, author_ids: Collection[int], using: str | None = None) -> int:
    """
    How many articles these authors wrote: the sum of their counter rows, no scan of articles. On
    PostgreSQL the ids go as one array parameter: hundreds of `IN` parameters cost more to send and
    plan than the index probes themselves.
    """
    rows = ArticleCount.objects.using(using).filter(kind=ArticleCount.Kind.AUTHOR)
    if connections[rows.db].vendor == "postgresql":
        rows = rows.filter(subject_id__in=RawSQL("SELECT unnest(%s::bigint[])", [list(author_ids)]))
    else:
        rows = rows.filter(subject_id__in=list(author_ids))
    return rows.aggregate(total=Sum("total"))["total"] or 0


def newest_rows(
    *, author_ids: Collection[int], depth: int, cursor: Cursor | None = None, using: str | None = None
) -> list[TimelineRow]:
    """
    The newest `depth` articles (after `cursor`) of these authors, newest first.

    On PostgreSQL, from one index range per author (LATERAL over the ids, index only): filtering the
    articles by author instead makes the database read and sort every article of every author, bodies
    included (20,000 rows for 20 prolific authors of the million-article set, 181 ms instead of 0.4
    ms). When that would still be many rows (a timeline rebuilt for a reader following hundreds of
    authors), in two passes: a few rows of every author, then `depth` rows of only those authors
    whose few rows were all newer than the `depth`-th newest of the first pass (only they can have
    more above it).
    """
    if not author_ids:
        return []
    articles = Article.objects.using(using).filter(author_id__in=list(author_ids))
    if connections[articles.db].vendor != "postgresql":
        rows = page_slice(articles.order_by("-created_at", "-id"), cursor=cursor, limit=depth - 1)
        return [
            TimelineRow(microseconds(created_at), pk, author_id)
            for pk, author_id, created_at in rows.values_list("pk", "author_id", "created_at")
        ]
    authors = list(author_ids)
    if len(authors) * depth <= ONE_PASS_MAX_ROWS:  # a page of a feed: one pass, sorted by the database
        return _newest_per_author(authors, limit=depth, cursor=cursor, using=articles.db, newest=depth)
    shallow = max(SHALLOW_ROWS_PER_AUTHOR, -(-2 * depth // len(authors)))
    found = _newest_per_author(authors, limit=shallow, cursor=cursor, using=articles.db)
    newest = sorted(found, reverse=True)[:depth]
    threshold = newest[-1] if len(newest) == depth else None
    read: dict[int, list[TimelineRow]] = {}
    for row in found:
        read.setdefault(row.author_id, []).append(row)
    deeper = [
        author for author, rows in read.items() if len(rows) == shallow and (threshold is None or min(rows) > threshold)
    ]
    if deeper:
        more = _newest_per_author(deeper, limit=depth, cursor=cursor, using=articles.db)
        newest = sorted({row.article_id: row for row in (*newest, *more)}.values(), reverse=True)[:depth]
    return newest


# newest_rows reads `depth` rows of every author in one pass, sorted by the database, while that is
# at most this many rows (a page of any feed: 500 authors x 21 = 10,500 rows, ~25 ms at 1M articles);
# above it, in two passes (a timeline of 120 rebuilt for 500 authors: 60,000 rows, 183 ms in one
# pass, 26 ms in two on the large set).
ONE_PASS_MAX_ROWS = 20_000
# The first of two passes reads this many rows of each author (or 2 x depth / authors, if more).
SHALLOW_ROWS_PER_AUTHOR = 4


def _newest_per_author(
    author_ids: list[int], *, limit: int, cursor: Cursor | None, using: str, newest: int | None = None
) -> list[TimelineRow]:
    """
    The newest `limit` articles (after `cursor`) of each author, one index range each, in no order;
    or only the `newest` of them all, newest first.
    """
    after = "AND a.created_at <= %s AND (a.created_at, a.id) < (%s, %s)" if cursor else ""
    top = "ORDER BY a.created_at DESC, a.id DESC LIMIT %s" if newest is not None else ""
    sql = f"""
        SELECT a.id, a.author_id, a.created_at FROM unnest(%s::bigint[]) AS f(author_id)
        CROSS JOIN LATERAL (
            SELECT a.id, a.author_id, a.created_at FROM {Article._meta.db_table} a
            WHERE a.author_id = f.author_id {after}
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT %s
        ) a
        {top}
    """  # only the table name and fixed clauses are formatted in; the values are parameters
    position = (cursor.created_at, cursor.created_at, cursor.id) if cursor else ()
    params = [author_ids, *position, limit, *((newest,) if newest is not None else ())]
    with connections[using].cursor() as db:
        db.execute(sql, params)
        return [
            TimelineRow(microseconds(created_at), article_id, author_id) for article_id, author_id, created_at in db
        ]


# Pending fan-outs read whole and filtered here, up to this many (normally a handful); a backlog
# (broker outage) is filtered by the database instead.
PENDING_READ_WHOLE = 200


def pending_rows(*, author_ids: Collection[int], using: str | None = None) -> list[TimelineRow]:
    """The articles of these authors still waiting for their fan-out (normally none: the last seconds' publishes)."""
    columns = ("article_id", "author_id", "created_at")
    rows = PendingFanout.objects.using(using)
    pending = list(rows.values_list(*columns)[: PENDING_READ_WHOLE + 1])
    if len(pending) > PENDING_READ_WHOLE:
        pending = list(rows.filter(author_id__in=list(author_ids)).values_list(*columns))
    return [
        TimelineRow(microseconds(created_at), article_id, author_id)
        for article_id, author_id, created_at in pending
        if author_id in author_ids
    ]


def fanout_on_read_author_ids(*, using: str | None = None) -> list[int]:
    """The authors whose articles are merged at read time instead of being fanned out."""
    return list(FanoutOnReadAuthor.objects.using(using).values_list("author_id", flat=True))
