from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models

from apps.articles.models import Article
from apps.core.models import TimestampedModel

# Bounded, as every stored text: a page of comments (at most COMMENT_PAGE_MAX_SIZE) stays bounded too.
COMMENT_BODY_MAX_LENGTH = 5_000  # a long comment; an essay belongs in an article
COMMENT_PAGE_MAX_SIZE = 100  # GET .../comments: the default and largest `limit`


class Comment(TimestampedModel):
    """A reader's comment under an article; only its author may delete it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(validators=[MaxLengthValidator(COMMENT_BODY_MAX_LENGTH)])

    class Meta:
        indexes = [models.Index(fields=["article", "-created_at", "-id"], name="comments_article_newest_idx")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.article_id}"
