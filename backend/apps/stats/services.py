"""
Periodic recomputations (Celery beat, see settings.CELERY_BEAT_SCHEDULE): rankings that would be too
costly to compute per request, and the check of the denormalized Article.favorites_count.
"""

import heapq
import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.articles.caching import invalidate_article
from apps.articles.models import Article, Favorite
from apps.comments.models import Comment
from apps.stats.models import TagPopularity, TrendingArticle
from apps.tags.caching import invalidate_tags
from apps.tags.models import Tag

logger = logging.getLogger(__name__)

TRENDING_WINDOW = timedelta(days=7)
TRENDING_LIMIT = 100
# How fast age pulls an article down the trending ranking (Hacker News uses 1.8).
TRENDING_GRAVITY = 1.5
TAG_WINDOW = timedelta(days=30)
RECONCILE_BATCH_SIZE = 1000


@transaction.atomic
def trending_articles_recompute(*, now: datetime | None = None) -> int:
    """
    Ranks the articles with activity in the last TRENDING_WINDOW: (1 + favorites + 2 x comments of the
    window) / (age in hours + 2) ^ TRENDING_GRAVITY, and keeps the TRENDING_LIMIT best. Returns how many.
    """
    now = now or timezone.now()
    since = now - TRENDING_WINDOW
    favorites = _counts_by_article(Favorite.objects.filter(created_at__gte=since))
    comments = _counts_by_article(Comment.objects.filter(created_at__gte=since))
    created_at = dict(Article.objects.filter(created_at__gte=since).values_list("pk", "created_at"))
    active = (favorites.keys() | comments.keys()) - created_at.keys()
    created_at.update(Article.objects.filter(pk__in=active).values_list("pk", "created_at"))

    def score(article_id: int) -> float:
        age_hours = max((now - created_at[article_id]).total_seconds() / 3600, 0)
        activity = 1 + favorites.get(article_id, 0) + 2 * comments.get(article_id, 0)
        return activity / (age_hours + 2) ** TRENDING_GRAVITY

    best = heapq.nlargest(TRENDING_LIMIT, ((score(pk), pk) for pk in created_at))
    TrendingArticle.objects.all().delete()
    TrendingArticle.objects.bulk_create(
        TrendingArticle(article_id=pk, rank=rank, score=value, computed_at=now)
        for rank, (value, pk) in enumerate(best, start=1)
    )
    return len(best)


@transaction.atomic
def tag_popularity_recompute(*, now: datetime | None = None) -> int:
    """
    Ranks every tag in use: its articles, plus twice those published in the last TAG_WINDOW, plus the
    favorites its articles got in that window (ties by name). GET /tags follows this order once the
    commit has invalidated its cache. Returns the number of ranked tags.
    """
    now = now or timezone.now()
    since = now - TAG_WINDOW
    tags = (
        Tag.objects.annotate(
            total=Count("articles", distinct=True),
            recent=Count("articles", filter=Q(articles__created_at__gte=since), distinct=True),
        )
        .filter(total__gt=0)
        .values_list("pk", "name", "total", "recent")
    )
    recent_favorites = dict(
        Favorite.objects.filter(created_at__gte=since, article__tags__isnull=False)
        .values("article__tags")
        .annotate(n=Count("pk"))
        .values_list("article__tags", "n")
    )
    scored = sorted(
        ((total + 2 * recent + recent_favorites.get(pk, 0), name, pk) for pk, name, total, recent in tags),
        key=lambda entry: (-entry[0], entry[1]),
    )
    TagPopularity.objects.all().delete()
    TagPopularity.objects.bulk_create(
        TagPopularity(tag_id=pk, rank=rank, score=value, computed_at=now)
        for rank, (value, _, pk) in enumerate(scored, start=1)
    )
    transaction.on_commit(invalidate_tags)
    return len(scored)


def article_favorites_count_reconcile(
    *, fix: bool = True, batch_size: int = RECONCILE_BATCH_SIZE
) -> list[dict[str, Any]]:
    """
    Compares every Article.favorites_count with its Favorite rows, in batches of ids; fixes each
    drifted article (in one UPDATE computing the count, safe against concurrent favorites) unless
    `fix` is false, and logs the drift as a warning. Returns the drifted articles: slug, stored and
    actual counts (as read before any fix).
    """
    drifted: list[dict[str, Any]] = []
    last_id = 0
    while True:
        ids = list(Article.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        last_id = ids[-1]
        rows = (
            Article.objects.filter(pk__in=ids)
            .annotate(actual=_favorites_count())
            .exclude(favorites_count=F("actual"))
            .values("pk", "slug", "favorites_count", "actual")
        )
        for row in rows:
            if fix:
                with transaction.atomic():
                    Article.objects.filter(pk=row["pk"]).update(favorites_count=_favorites_count())
                    transaction.on_commit(partial(invalidate_article, row["slug"]))
            drifted.append({"slug": row["slug"], "stored": row["favorites_count"], "actual": row["actual"]})
    if drifted:
        logger.warning(
            "favorites_count drifted on %s article(s), %s: %s",
            len(drifted),
            "fixed" if fix else "not fixed",
            ", ".join(f"{d['slug']} ({d['stored']} -> {d['actual']})" for d in drifted[:20]),
        )
    return drifted


def _favorites_count() -> Coalesce:
    counts = Favorite.objects.filter(article_id=OuterRef("pk")).order_by().values("article_id").annotate(n=Count("pk"))
    return Coalesce(Subquery(counts.values("n")), 0)


def _counts_by_article(rows: Any) -> dict[int, int]:
    return dict(rows.order_by().values("article_id").annotate(n=Count("pk")).values_list("article_id", "n"))
