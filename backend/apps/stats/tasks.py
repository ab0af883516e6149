"""Periodic tasks (Celery beat): each calls one service and is safe to run twice."""

from celery import shared_task

from apps.stats.services import article_favorites_count_reconcile, tag_popularity_recompute


@shared_task(name="stats.tag_popularity_recompute", time_limit=600, soft_time_limit=540)
def tag_popularity() -> int:
    return tag_popularity_recompute()


@shared_task(name="stats.favorites_count_reconcile", time_limit=1800, soft_time_limit=1740)
def favorites_count_reconcile() -> int:
    """Fixes and reports (a warning in the log) any drift of Article.favorites_count; returns the drifted count."""
    return len(article_favorites_count_reconcile())
