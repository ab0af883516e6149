"""Timeline tasks (fanout queue): each takes ids and calls one idempotent service of apps.feeds.services."""

from celery import shared_task

from apps.feeds.services import timelines_article_published, timelines_follow_changed


@shared_task(name="feeds.timelines_article_published", time_limit=120, soft_time_limit=100)
def article_published(article_id: int) -> int:
    """Writes a new article into its author's followers' timelines."""
    return timelines_article_published(article_id=article_id)


@shared_task(name="feeds.timelines_follow_changed", time_limit=60, soft_time_limit=45)
def follow_changed(follower_id: int, followee_id: int) -> None:
    """Backfills a followed author's articles into the follower's timeline, or drops an unfollowed one's."""
    timelines_follow_changed(follower_id=follower_id, followee_id=followee_id)
