from django.conf import settings
from django.db import models

from apps.articles.models import Article
from apps.core.models import TimestampedModel


class Comment(TimestampedModel):
    """A reader's comment under an article; only its author may delete it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["article", "-created_at", "-id"], name="comments_article_newest_idx")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.article_id}"
