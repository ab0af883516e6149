from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.api.pagination import entry_cursor, page_of, page_slice
from apps.articles.caching import (
    ARTICLE_DETAIL_TTL,
    ARTICLE_LIST_TTL,
    article_count_cache_key,
    article_detail_cache_key,
    article_list_cache_key,
)
from apps.articles.models import Article, Favorite
from apps.articles.serializers import ArticleListItemSerializer, ArticleSerializer
from apps.caching.generations import Versions, cached, cached_many
from apps.core.exceptions import NotFoundError, PermissionDeniedError
from apps.core.types import Entry, EntryPage, PageParams, Viewer
from apps.profiles.selectors import with_author_following
from apps.users.models import User

ArticleFilters = dict[str, str | None]  # {"tag": ..., "author": ..., "favorited": ...}


@dataclass(frozen=True)
class ArticlePage(EntryPage):
    """A page of articles as shared entries, with the number of matches before paging."""

    count: int


# ------------------------------------------------------------------------------
# Querysets
# ------------------------------------------------------------------------------
def article_queryset(*, using: str | None = None) -> QuerySet[Article]:
    """Articles with their author joined; `article_entries` adds their tags in one more query."""
    return Article.objects.using(using).select_related("author")


def article_list(*, filters: ArticleFilters, using: str | None = None) -> QuerySet[Article]:
    """Articles newest first, filtered by tag name, author username and favoriting username."""
    articles = article_queryset(using=using)
    if filters.get("tag"):
        articles = articles.filter(tags__name=filters["tag"])
    if filters.get("author"):
        # By id (a subquery), not through a join on the username: with the id known up front,
        # PostgreSQL reads the page in order from articles_author_newest_idx and stops after it; through
        # the join it fetched every article of the author and sorted them (3,165 rows, 10 ms for the
        # most prolific author of the large set: docs/queries.md).
        author_ids = User.objects.using(using).filter(username=filters["author"]).values("pk")[:1]
        articles = articles.filter(author_id=Subquery(author_ids))
    if filters.get("favorited"):
        articles = articles.filter(favorites__user__username=filters["favorited"])
    return articles.order_by("-created_at", "-id")


def article_list_count(*, filters: ArticleFilters, using: str | None = None) -> int:
    """
    How many articles `article_list` gives for `filters`. A tag alone is counted on the article-tag
    links (an index-only scan of that tag's entries; a link is unique per article and tag, so the
    number is the same) rather than by joining every tagged article: the large set's most used tag
    (262,000 articles) counts in ~45 ms instead of ~500 (docs/queries.md).
    """
    if filters.get("tag") and not filters.get("author") and not filters.get("favorited"):
        return Article.tags.through.objects.using(using).filter(tag__name=filters["tag"]).count()
    return article_list(filters=filters, using=using).count()


# ------------------------------------------------------------------------------
# Shared entries (cacheable, the same for every viewer)
# ------------------------------------------------------------------------------
def article_entries(articles: QuerySet[Article] | list[Article], *, with_body: bool = False) -> list[Entry]:
    articles = list(articles)
    # The tags come from the database the articles came from, as prefetch_related would read them.
    using = articles[0]._state.db if articles else None
    tags = tag_names_by_article(article_ids=[article.pk for article in articles], using=using)
    shape = ArticleSerializer if with_body else ArticleListItemSerializer
    return [
        {"id": article.pk, "author_id": article.author_id, "data": shape.entry_data(article, tagList=tags[article.pk])}
        for article in articles
    ]


def tag_names_by_article(*, article_ids: Iterable[int], using: str | None = None) -> defaultdict[int, list[str]]:
    """
    The sorted tag names of each article, in one flat query. (`prefetch_related("tags")` runs the
    same query plus a queryset per article: a quarter of the CPU of a page built from the database.)
    """
    article_ids = list(article_ids)
    names: defaultdict[int, list[str]] = defaultdict(list)
    if article_ids:
        links = Article.tags.through.objects.using(using).filter(article_id__in=article_ids)
        for article_id, name in links.values_list("article_id", "tag__name"):
            names[article_id].append(name)
    for article_names in names.values():
        article_names.sort()  # as Article.tag_names, whatever the database's collation
    return names


def article_list_page(*, filters: ArticleFilters, page: PageParams, versions: Versions | None) -> ArticlePage:
    """
    One page of the article list as shared entries, with the number of matches before paging and
    the cursor of the next page; `articles_for_viewer` lays the viewer's flags over the entries.

    With `versions` (see articles.caching), the page and the count come from the cache: one shared
    entry per page and one count per filter, filled from the primary database.
    """
    using = None if versions is None else DEFAULT_DB_ALIAS

    def entries_page() -> list[Entry]:
        return article_entries(paginated(article_list(filters=filters, using=using), page))

    def count() -> int:
        return article_list_count(filters=filters, using=using)

    if versions is None:
        entries, total = entries_page(), count()
    else:
        page_key = article_list_cache_key(filters, page, versions)
        count_key = article_count_cache_key(filters, versions)
        values = cached_many({page_key: (ARTICLE_LIST_TTL, entries_page), count_key: (ARTICLE_LIST_TTL, count)})
        entries, total = values[page_key], values[count_key]
    return article_page(entries, total, limit=page["limit"])


def paginated(articles: QuerySet[Article], page: PageParams) -> QuerySet[Article]:
    """
    The slice of `articles` (newest first) that `page` asks for, by cursor or by offset, plus one
    more article when there is one: `article_page` drops it, and so knows whether a next page exists.
    """
    return page_slice(articles, cursor=page["cursor"], limit=page["limit"], offset=page["offset"])


def article_page(entries: list[Entry], count: int, *, limit: int) -> ArticlePage:
    """The page of the entries `paginated` selected, with `count` and the next page's cursor."""
    shown, cursor = page_of(entries, limit, cursor_of=entry_cursor)
    return ArticlePage(entries=shown, next_cursor=cursor, count=count)


def article_entry(*, slug: str, using: str | None = None) -> Entry:
    article = article_queryset(using=using).filter(slug=slug).first()
    if article is None:
        raise NotFoundError("article")
    return article_entries([article], with_body=True)[0]


def article_detail_entry(*, slug: str, versions: Versions | None = None) -> Entry:
    """
    The shared entry of the article at `slug`; NotFoundError if there is none.

    Without `versions` it is read from the database: write responses use that, since their
    transaction (and so the cache invalidation) has not committed yet.
    """
    if versions is None:
        return article_entry(slug=slug)
    key = article_detail_cache_key(slug, versions)
    return cached(key, ARTICLE_DETAIL_TTL, lambda: article_entry(slug=slug, using=DEFAULT_DB_ALIAS))


# ------------------------------------------------------------------------------
# Per viewer: the flags laid over shared entries, which the views call after a selector
# ------------------------------------------------------------------------------
def favorited_ids(*, viewer: Viewer, article_ids: set[int]) -> set[int]:
    """Which of `article_ids` `viewer` has favorited, in one index-only query (none for anonymous viewers)."""
    if not viewer.is_authenticated or not article_ids:
        return set()
    favorites = Favorite.objects.filter(user_id=viewer.pk, article_id__in=article_ids)
    return set(favorites.values_list("article_id", flat=True))


def articles_for_viewer(entries: list[Entry], *, viewer: Viewer) -> list[dict[str, Any]]:
    """
    The entries' data as `viewer` sees them, `favorited` and `author.following` in two small
    queries (new dicts: cached entries stay untouched).
    """
    favorited = favorited_ids(viewer=viewer, article_ids={entry["id"] for entry in entries})
    articles = with_author_following(entries, viewer=viewer)
    for entry, article in zip(entries, articles, strict=True):
        article["favorited"] = entry["id"] in favorited
    return articles


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


def article_favorites_counted() -> Coalesce:
    """Each article's number of Favorite rows, as an expression to annotate or update with (0 when none)."""
    counts = Favorite.objects.filter(article_id=OuterRef("pk")).order_by().values("article_id").annotate(n=Count("pk"))
    return Coalesce(Subquery(counts.values("n")), 0)
