"""
The counter rows of the article lists (ArticleCount): how many articles all, an author's, a tag's
and a user's favorites are. The article and favorite services move them in the write's own
transaction, in one statement per write; the lists read them by primary key instead of counting.

Rows are upserted in one fixed order (kind, subject) so that concurrent writers lock them in the
same order and never deadlock; a hot row (all articles) is locked only from that statement to the
commit, which the services keep last before their outbox row.
"""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F

from apps.articles.models import Article, ArticleCount, Favorite
from apps.tags.models import Tag
from apps.users.models import User

Kind = ArticleCount.Kind
# (kind, subject id) -> how much it moves
Deltas = Counter[tuple[str, int]]


def article_counts_add(deltas: Deltas) -> None:
    """Adds each delta to its counter row (created at the delta when missing), in one statement."""
    rows = sorted((kind, subject, delta) for (kind, subject), delta in deltas.items() if delta)
    if not rows:
        return
    table = connection.ops.quote_name(ArticleCount._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} (kind, subject_id, total) VALUES {values} "
        f"ON CONFLICT (kind, subject_id) DO UPDATE SET total = {table}.total + excluded.total"
    )  # only the table name is formatted in; every value is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def article_deltas(*, author_id: int, tag_ids: Iterable[int], sign: int) -> Deltas:
    """The counters one article moves when it is published (sign 1) or deleted (-1)."""
    deltas: Deltas = Counter({(Kind.ALL, 0): sign, (Kind.AUTHOR, author_id): sign})
    for tag_id in tag_ids:
        deltas[(Kind.TAG, tag_id)] += sign
    return deltas


def article_counts_favoriters_remove(*, article_id: int) -> None:
    """Each user who favorited the article has one favorite fewer (before the article is deleted)."""
    favoriters = Favorite.objects.filter(article_id=article_id).values("user_id")
    ArticleCount.objects.filter(kind=Kind.FAVORITED, subject_id__in=favoriters).update(total=F("total") - 1)


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
    total = rows.values_list("total", flat=True).first()
    return total or 0


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
    stored = {
        (kind, subject): total
        for kind, subject, total in ArticleCount.objects.values_list("kind", "subject_id", "total")
    }
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
            article_counts_add(Counter(dict(moves[start : start + batch_size])))
    return drifted
