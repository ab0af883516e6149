"""
Periodic recomputations (Celery beat, see settings.CELERY_BEAT_SCHEDULE): the tags' popularity
ranking, too costly to compute per request, and the check of the denormalized
Article.favorites_count. Their results are written through the owning apps' services.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from apps.articles.models import Article, Favorite
from apps.articles.selectors import article_favorites_counted
from apps.articles.services import article_favorites_count_recount
from apps.tags.models import Tag
from apps.tags.services import tag_popularity_set

logger = logging.getLogger(__name__)

TAG_WINDOW = timedelta(days=30)
RECONCILE_BATCH_SIZE = 1000


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
    tag_popularity_set(scores=[(pk, value) for value, _, pk in scored])
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
            .annotate(actual=article_favorites_counted())
            .exclude(favorites_count=F("actual"))
            .values("pk", "slug", "favorites_count", "actual")
        )
        for row in rows:
            if fix:
                article_favorites_count_recount(article_id=row["pk"])
            drifted.append({"slug": row["slug"], "stored": row["favorites_count"], "actual": row["actual"]})
    if drifted:
        logger.warning(
            "favorites_count drifted on %s article(s), %s: %s",
            len(drifted),
            "fixed" if fix else "not fixed",
            ", ".join(f"{d['slug']} ({d['stored']} -> {d['actual']})" for d in drifted[:20]),
        )
    return drifted
