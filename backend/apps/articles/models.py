from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models

from apps.core.models import TimestampedModel
from apps.tags.models import Tag

# Every stored text is bounded, so that every response and cache entry that holds it is bounded too.
TITLE_MAX_LENGTH = 255  # the column's size
DESCRIPTION_MAX_LENGTH = 1_000  # a summary shown in every list item
BODY_MAX_LENGTH = 100_000  # ~15,000 words: a long read; only the article's own page shows it


class Article(TimestampedModel):
    """A published article. Its slug, chosen at creation, stays its URL for good."""

    slug = models.SlugField(max_length=255, unique=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)])
    body = models.TextField(validators=[MaxLengthValidator(BODY_MAX_LENGTH)])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="articles")
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    # Denormalized: kept equal to the number of Favorite rows by the favorite services.
    favorites_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The global list and every author's list, newest first.
            models.Index(fields=["-created_at", "-id"], name="articles_newest_idx"),
            models.Index(fields=["author", "-created_at", "-id"], name="articles_author_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_names(self) -> list[str]:
        """Tag names in alphabetical order (RealWorld clients expect a stable order)."""
        return sorted(tag.name for tag in self.tags.all())


class Favorite(models.Model):
    """`user` favorited `article`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="favorites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "article"], name="articles_favorite_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} favorited {self.article_id}"


class ArticleCount(models.Model):
    """
    How many articles one list filter matches: all articles, an author's, a tag's, a user's
    favorites. Kept exact by the article and favorite services in the write's own transaction
    (apps.articles.counts), so that `articlesCount` is a primary-key read, never a COUNT(*) over
    the table; `manage.py check_counters` re-derives every row from the articles.
    """

    class Kind(models.TextChoices):
        ALL = "all"  # one row, subject 0
        AUTHOR = "author"  # subject: the author's user id
        TAG = "tag"  # subject: the tag id
        FAVORITED = "favorited"  # subject: the favoriting user's id

    kind = models.CharField(max_length=16, choices=Kind.choices)
    subject_id = models.BigIntegerField()
    # A counter is the sum of its rows, one per shard: each write moves one shard, picked at random,
    # so concurrent publishes do not queue on one row (the count of all articles, a popular tag's).
    shard = models.PositiveSmallIntegerField(default=0)
    total = models.BigIntegerField(default=0)  # a shard may go below zero; the sum may not

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_id", "shard"], name="articles_count_shard_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject_id} = {self.total}"
