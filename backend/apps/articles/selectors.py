from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

from apps.articles.caching import (
    ARTICLE_DETAIL_TTL,
    ARTICLE_LIST_TTL,
    article_count_cache_key,
    article_detail_cache_key,
    article_list_cache_key,
)
from apps.articles.models import Article, Favorite
from apps.articles.serializers import article_data
from apps.core.caching import Versions, cached, cached_many
from apps.core.exceptions import NotFoundError, PermissionDeniedError
from apps.profiles.selectors import Entry, Viewer, with_author_following
from apps.users.models import User

ArticleFilters = dict[str, str | None]  # {"tag": ..., "author": ..., "favorited": ...}


# ------------------------------------------------------------------------------
# Querysets
# ------------------------------------------------------------------------------
def article_queryset(*, using: str | None = None) -> QuerySet[Article]:
    """Articles with what their representation needs in two queries: the author joined, tags prefetched."""
    return Article.objects.using(using).select_related("author").prefetch_related("tags")


def article_list(*, filters: ArticleFilters, using: str | None = None) -> QuerySet[Article]:
    """Articles newest first, filtered by tag name, author username and favoriting username."""
    articles = article_queryset(using=using)
    if filters.get("tag"):
        articles = articles.filter(tags__name=filters["tag"])
    if filters.get("author"):
        articles = articles.filter(author__username=filters["author"])
    if filters.get("favorited"):
        articles = articles.filter(favorites__user__username=filters["favorited"])
    return articles.order_by("-created_at", "-id")


# ------------------------------------------------------------------------------
# Representations: shared entries (cacheable) with the viewer's flags laid over them
# ------------------------------------------------------------------------------
def article_entries(articles: QuerySet[Article] | list[Article], *, with_body: bool = False) -> list[Entry]:
    return [
        {"id": article.pk, "author_id": article.author_id, "data": article_data(article, with_body=with_body)}
        for article in articles
    ]


def favorited_ids(*, viewer: Viewer, article_ids: set[int]) -> set[int]:
    """Which of `article_ids` `viewer` has favorited, in one index-only query (none for anonymous viewers)."""
    if not viewer.is_authenticated or not article_ids:
        return set()
    favorites = Favorite.objects.filter(user_id=viewer.pk, article_id__in=article_ids)
    return set(favorites.values_list("article_id", flat=True))


def article_overlay(entries: list[Entry], *, viewer: Viewer) -> list[dict[str, Any]]:
    """The entries as `viewer` sees them: `favorited` and `author.following` in two small queries."""
    favorited = favorited_ids(viewer=viewer, article_ids={entry["id"] for entry in entries})
    articles = with_author_following(entries, viewer=viewer)
    for entry, article in zip(entries, articles, strict=True):
        article["favorited"] = entry["id"] in favorited
    return articles


def article_list_data(
    *, filters: ArticleFilters, limit: int, offset: int, viewer: Viewer, versions: Versions | None
) -> tuple[list[dict[str, Any]], int]:
    """
    One page of the article list as `viewer` sees it, and the number of matches before paging.

    With `versions` (see articles.caching), the page and the count come from the cache: one shared
    entry per page and one count per filter, filled from the primary database.
    """
    using = None if versions is None else DEFAULT_DB_ALIAS

    def page() -> list[Entry]:
        return article_entries(article_list(filters=filters, using=using)[offset : offset + limit])

    def count() -> int:
        return article_list(filters=filters, using=using).count()

    if versions is None:
        entries, total = page(), count()
    else:
        page_key = article_list_cache_key(filters, limit, offset, versions)
        count_key = article_count_cache_key(filters, versions)
        values = cached_many({page_key: (ARTICLE_LIST_TTL, page), count_key: (ARTICLE_LIST_TTL, count)})
        entries, total = values[page_key], values[count_key]
    return article_overlay(entries, viewer=viewer), total


def article_entry(*, slug: str, using: str | None = None) -> Entry:
    article = article_queryset(using=using).filter(slug=slug).first()
    if article is None:
        raise NotFoundError("article")
    return article_entries([article], with_body=True)[0]


def article_detail_data(*, slug: str, viewer: Viewer, versions: Versions | None = None) -> dict[str, Any]:
    """
    The article at `slug` as `viewer` sees it; NotFoundError if there is none.

    Without `versions` it is read from the database: write responses use that, since their
    transaction (and so the cache invalidation) has not committed yet.
    """
    if versions is None:
        entry = article_entry(slug=slug)
    else:
        key = article_detail_cache_key(slug, versions)
        entry = cached(key, ARTICLE_DETAIL_TTL, lambda: article_entry(slug=slug, using=DEFAULT_DB_ALIAS))
    return article_overlay([entry], viewer=viewer)[0]


# ------------------------------------------------------------------------------
# Lookups for writes
# ------------------------------------------------------------------------------
def article_get_plain(*, slug: str, using: str | None = None) -> Article:
    """The bare article at `slug`, for operations on what hangs off it; NotFoundError otherwise."""
    article = Article.objects.using(using).filter(slug=slug).first()
    if article is None:
        raise NotFoundError("article")
    return article


def article_get_for_author(*, slug: str, user: User) -> Article:
    """The article at `slug` if `user` wrote it: NotFoundError, then PermissionDeniedError otherwise."""
    article = article_get_plain(slug=slug)
    if article.author_id != user.pk:
        raise PermissionDeniedError("article")
    return article
