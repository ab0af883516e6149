"""
What the timelines (apps.feeds.timelines) cannot keep in Redis: which articles still wait for their
fan-out, and which authors are read at read time instead of being fanned out.
"""

from django.conf import settings
from django.db import models


class PendingFanout(models.Model):
    """
    An article published but not yet written into its author's followers' timelines: written in the
    publish's own transaction, deleted by the fan-out task once every timeline holds the article.
    Feed reads merge these rows, so a delayed or failed fan-out (broker down, worker busy) delays
    nothing a reader sees. The table holds only the last seconds of publishes, or the backlog of an
    outage.
    """

    article = models.OneToOneField("articles.Article", on_delete=models.CASCADE, primary_key=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"article {self.article_id} waits for its fan-out"


class FanoutOnReadAuthor(models.Model):
    """
    An author with too many followers to fan out to (FEED_FANOUT_MAX_FOLLOWERS): their articles are
    never written into timelines, and readers merge their newest articles at read time. Sticky, so
    that an author hovering around the threshold can never have articles in neither place.
    """

    author = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    promoted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.author_id} is read at read time"
