"""
The timelines' writers (docs/feeds.md), run by the tasks of apps.feeds.tasks: idempotent, so that a
task run twice (a retry, a redelivery) changes nothing the first run did not.
"""

import logging

from django.conf import settings
from django.db import transaction

from apps.articles.models import Article
from apps.core.db import insert_unless_conflict
from apps.feeds.caching import fanout_on_read_changed
from apps.feeds.models import FanoutOnReadAuthor, PendingFanout
from apps.feeds.selectors import newest_rows
from apps.feeds.timelines import (
    TimelineRow,
    microseconds,
    timeline_fill,
    timeline_remove_author,
    timelines_add,
    timelines_enabled,
)
from apps.profiles.models import Follow

logger = logging.getLogger(__name__)


def timelines_article_published(*, article_id: int) -> int:
    """
    Writes the article into the existing timelines of its author's followers, unless the author has
    more than FEED_FANOUT_MAX_FOLLOWERS followers (then they become an author read at read time);
    then deletes its pending row. Returns the number of timelines written. Redis failing raises (the
    task retries) and the pending row stays: feeds keep merging the article meanwhile.
    """
    article = Article.objects.filter(pk=article_id).values_list("author_id", "created_at").first()
    if article is None:
        return 0  # deleted since, and its pending row with it
    author_id, created_at = article
    written = 0
    if timelines_enabled() and not FanoutOnReadAuthor.objects.filter(author_id=author_id).exists():
        most = settings.FEED_FANOUT_MAX_FOLLOWERS
        followers = Follow.objects.filter(followee_id=author_id).values_list("follower_id", flat=True)
        follower_ids = list(followers[: most + 1])
        if len(follower_ids) > most:
            _read_at_read_time(author_id)
        else:
            written = timelines_add(follower_ids, TimelineRow(microseconds(created_at), article_id, author_id))
    # Last, and in a transaction of its own: until this commits, readers merge the article. No page
    # changes with the fan-out (the article moved from the pending rows into the timelines, which
    # readers read in that order), so no stamp moves: a publish costs one, not one per follower.
    PendingFanout.objects.filter(article_id=article_id).delete()
    return written


def _read_at_read_time(author_id: int) -> None:
    """The author joins the authors merged at read time (before their pending article leaves the pending rows)."""
    with transaction.atomic():
        if insert_unless_conflict(FanoutOnReadAuthor(author_id=author_id), conflict_fields=["author"]):
            fanout_on_read_changed()
            logger.info(
                "author %s has more than %s followers: read at read time", author_id, settings.FEED_FANOUT_MAX_FOLLOWERS
            )


def timelines_follow_changed(*, follower_id: int, followee_id: int) -> None:
    """
    Brings the follower's timeline (if it exists) in line with the follow as it is now: the
    followee's newest articles backfilled and marked held when following, dropped when not.
    """
    if not timelines_enabled():
        return
    if not Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).exists():
        timeline_remove_author(follower_id, followee_id)
    elif FanoutOnReadAuthor.objects.filter(author_id=followee_id).exists():
        return  # merged at read time
    else:
        cap = settings.FEED_TIMELINE_MAX
        rows = newest_rows(author_ids=[followee_id], depth=cap)
        timeline_fill(follower_id, rows, authors=[followee_id], truncated=len(rows) >= cap)
    # No stamp moves: the follow itself changed the reader's followees (and so which first page they
    # read); the backfill only moves the followee's articles from the read-time merge into the timeline.
