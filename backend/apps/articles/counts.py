"""
The counter rows of the article lists (ArticleCount): how many articles all, an author's, a tag's
and a user's favorites are. The article and favorite services move them in the write's own
transaction, in one statement per write; the lists read them by primary key instead of counting.

A counter is the sum of its rows, one per shard (COUNT_SHARDS): each write moves the rows of one
shard picked at random, so that concurrent publishes, which all move the count of all articles (and
often a popular tag's), spread over several rows instead of queueing on one until each commits.
Rows are upserted in one fixed order (kind, subject) so that concurrent writers lock them in the
same order and never deadlock, and the services move them last, just before the commit.
"""

import random
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum

from apps.articles.models import Article, ArticleCount, Favorite
from apps.tags.models import Tag
from apps.users.models import User

Kind = ArticleCount.Kind
# (kind, subject id) -> how much it moves
Deltas = Counter[tuple[str, int]]
COUNT_SHARDS = 8
_UPSERT = "ON CONFLICT (kind, subject_id, shard) DO UPDATE SET total = {table}.total + excluded.total"


def article_counts_add(deltas: Deltas, *, shard: int | None = None) -> None:
    """Adds each delta to its counter (to one shard's row, created when missing), in one statement."""
    rows = sorted((kind, subject, delta) for (kind, subject), delta in deltas.items() if delta)
    if not rows:
        return
    shard = random.randrange(COUNT_SHARDS) if shard is None else shard
    table = _table()
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    sql = f"INSERT INTO {table} (kind, subject_id, shard, total) VALUES {values} " + _UPSERT.format(table=table)
    # Only the table name is formatted in; every value is a parameter.
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for kind, subject, delta in rows for value in (kind, subject, shard, delta)])


def _table() -> str:
    return connection.ops.quote_name(ArticleCount._meta.db_table)


def article_deltas(*, author_id: int, tag_ids: Iterable[int], sign: int) -> Deltas:
    """The counters one article moves when it is published (sign 1) or deleted (-1)."""
    deltas: Deltas = Counter({(Kind.ALL, 0): sign, (Kind.AUTHOR, author_id): sign})
    for tag_id in tag_ids:
        deltas[(Kind.TAG, tag_id)] += sign
    return deltas


def article_counts_favoriters_remove(*, article_id: int) -> None:
    """Each user who favorited the article has one favorite fewer (before the article is deleted)."""
    table, favorites = _table(), connection.ops.quote_name(Favorite._meta.db_table)
    sql = (
        f"INSERT INTO {table} (kind, subject_id, shard, total)"
        f" SELECT %s, user_id, %s, -1 FROM {favorites} WHERE article_id = %s ORDER BY user_id "
        + _UPSERT.format(table=table)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Kind.FAVORITED, random.randrange(COUNT_SHARDS), article_id])


# ------------------------------------------------------------------------------
# Reads
# ------------------------------------------------------------------------------
def article_count_get(
    *, tag: str | None, author: str | None, favorited: str | None, using: str | None = None
) -> int | None:
    """
    The counter of the list with one filter (or none), by primary key; None when the filters are
    combined (no row counts an intersection: the caller counts, within the narrower filter).
    """
    if sum(1 for value in (tag, author, favorited) if value) > 1:
        return None
    rows = ArticleCount.objects.using(using)
    if tag:
        rows = rows.filter(kind=Kind.TAG, subject_id__in=Tag.objects.using(using).filter(name=tag).values("pk")[:1])
    elif author or favorited:
        kind = Kind.AUTHOR if author else Kind.FAVORITED
        users = User.objects.using(using).filter(username=author or favorited).values("pk")[:1]
        rows = rows.filter(kind=kind, subject_id__in=users)
    else:
        rows = rows.filter(kind=Kind.ALL, subject_id=0)
    return rows.aggregate(total=Sum("total"))["total"] or 0


# ------------------------------------------------------------------------------
# Checks (manage.py check_counters)
# ------------------------------------------------------------------------------
def article_counts_derived() -> dict[tuple[str, int], int]:
    """Every counter as the rows say it should be (grouped counts: a scan, for checks only)."""
    derived: dict[tuple[str, int], int] = {(Kind.ALL, 0): Article.objects.count()}
    groups = [
        (Kind.AUTHOR, Article.objects.values_list("author_id").annotate(n=Count("pk"))),
        (Kind.TAG, Article.tags.through.objects.values_list("tag_id").annotate(n=Count("pk"))),
        (Kind.FAVORITED, Favorite.objects.values_list("user_id").annotate(n=Count("pk"))),
    ]
    for kind, counts in groups:
        derived.update({(kind, subject): n for subject, n in counts.order_by()})
    return derived


@transaction.atomic
def article_counts_reconcile(*, fix: bool = True, batch_size: int = 1000) -> list[dict[str, Any]]:
    """
    Compares every counter row with the articles and favorites; when `fix`, moves each drifted one
    (missing ones are created) to its actual value, `batch_size` rows per statement. Returns the
    drifted counters: {"id": "kind:subject", "stored": n, "actual": m}. A write that commits between
    the derivation and the fix is counted twice or not at all: run the fix when writes are quiet.
    """
    derived = article_counts_derived()
    rows = ArticleCount.objects.values_list("kind", "subject_id").annotate(sum=Sum("total")).order_by()
    stored = {(kind, subject): total for kind, subject, total in rows}
    fixes: Deltas = Counter()
    for counter in sorted(derived.keys() | stored.keys()):
        fixes[counter] = derived.get(counter, 0) - stored.get(counter, 0)
    drifted = [
        {"id": f"{kind}:{subject}", "stored": stored.get((kind, subject), 0), "actual": derived.get((kind, subject), 0)}
        for (kind, subject), delta in fixes.items()
        if delta
    ]
    if fix:
        moves = [(counter, delta) for counter, delta in fixes.items() if delta]
        for start in range(0, len(moves), batch_size):
            article_counts_add(Counter(dict(moves[start : start + batch_size])), shard=0)
    return drifted
