"""
The timeline hooks: what the articles and profiles services call, inside their own transactions,
when a feed changes (docs/feeds.md). Each writes its rows in the caller's transaction (an outbox row,
and for a publish the pending row that feed reads merge until the fan-out has run), so that no
committed publish or follow can lose its fan-out.
"""

from datetime import datetime

from apps.feeds.models import PendingFanout
from apps.outbox.services import outbox_enqueue

# Task names (routed to the fanout queue in settings: CELERY_TASK_ROUTES).
PUBLISHED_TASK = "feeds.timelines_article_published"
FOLLOW_CHANGED_TASK = "feeds.timelines_follow_changed"


def timelines_article_published(*, article_id: int, author_id: int, created_at: datetime) -> None:
    """The article will be written into the timelines of its author's followers; until then feeds merge it."""
    PendingFanout.objects.create(article_id=article_id, author_id=author_id, created_at=created_at)
    # The publish's own invalidation (apps.articles.caching.article_published) moves the author's
    # AUTHOR_ARTICLES stamp: the first pages of their followers' feeds, and no one else's, reload.
    outbox_enqueue(
        task=PUBLISHED_TASK, kwargs={"article_id": article_id}, dedup_key=f"timelines_published:{article_id}"
    )


def timelines_follow_changed(*, follower_id: int, followee_id: int) -> None:
    """
    The follower's timeline will gain (follow) or lose (unfollow) the followee's articles; until then
    feed reads merge or filter them. No dedup key: the task acts on the follow as it is when it runs.
    """
    outbox_enqueue(task=FOLLOW_CHANGED_TASK, kwargs={"follower_id": follower_id, "followee_id": followee_id})
