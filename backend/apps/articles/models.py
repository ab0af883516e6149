from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql.compiler import SQLCompiler

from apps.core.models import TimestampedModel
from apps.tags.models import Tag

# Every stored text is bounded, so that every response and cache entry that holds it is bounded too.
TITLE_MAX_LENGTH = 255  # the column's size
DESCRIPTION_MAX_LENGTH = 1_000  # a summary shown in every list item
BODY_MAX_LENGTH = 100_000  # ~15,000 words: a long read; only the article's own page shows it


# The text search configuration of articles (apps.articles.search): English stemming and stop words,
# the language of the site's texts; a query is parsed with the same configuration.
SEARCH_CONFIG = "english"


class SearchDocument(models.Func):
    """
    An article's text as one weighted `tsvector` (title A, description B, body C) on PostgreSQL;
    NULL on SQLite, which has no text search (the search falls back to substring matches there).
    """

    template = "%(expressions)s"
    output_field = SearchVectorField()

    def __init__(self) -> None:
        super().__init__(
            SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("description", weight="B", config=SEARCH_CONFIG)
            + SearchVector("body", weight="C", config=SEARCH_CONFIG)
        )

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        return "NULL", ()


class ArticleManager(models.Manager["Article"]):
    """Articles without their search document, which only the search reads (it can be as big as the body)."""

    def get_queryset(self) -> models.QuerySet["Article"]:
        return super().get_queryset().defer("search_document")


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
    # Computed and stored by the database on every insert and text edit: the full-text search reads
    # it through the GIN index `articles_search_idx`, created on PostgreSQL only by migration 0006
    # (SQLite has no GIN; Meta.indexes would create it there too). Never loaded with an article
    # (`Article.objects` defers it): only the search's own queries read it.
    search_document = models.GeneratedField(
        expression=SearchDocument(), output_field=SearchVectorField(), db_persist=True
    )

    objects = ArticleManager()

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
