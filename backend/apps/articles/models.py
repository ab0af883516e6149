from django.conf import settings
from django.db import models

from apps.core.models import TimestampedModel
from apps.tags.models import Tag


class Article(TimestampedModel):
    """A published article. Its slug, chosen at creation, stays its URL for good."""

    slug = models.SlugField(max_length=255, unique=True)
    title = models.CharField(max_length=255)
    description = models.TextField()
    body = models.TextField()
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
