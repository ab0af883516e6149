from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypedDict

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.api.pagination import cursor_encode, page_slice
from apps.api.serializers import datetime_to_str
from apps.articles.counts import article_count_get
from apps.articles.models import Article, Favorite
from apps.articles.serializers import ArticleListItemSerializer, ArticleSerializer
from apps.core.exceptions import NotFoundError, PermissionDeniedError
from apps.core.types import Cursor, Entry, EntryPage, Viewer
from apps.profiles.selectors import with_author_following
from apps.profiles.serializers import ProfileSerializer
from apps.users.models import User


class ArticleListQuery(NamedTuple):
    """What a page of the article list is: its filters (None: not filtered) and its position."""

    tag: str | None
    author: str | None
    favorited: str | None
    limit: int
    offset: int
    cursor: Cursor | None


# A listed article: its id, its author's id and its creation time as the API renders it (the cursor).
ArticleRow = tuple[int, int, str]


class ArticleIdPage(TypedDict):
    """A page of the list without the articles: `limit` + 1 rows (one more if there is a next page), and the count."""

    rows: list[ArticleRow]
    count: int


@dataclass(frozen=True)
class ArticlePage(EntryPage):
    """A page of articles as shared entries, with the number of matches before paging."""

    count: int


# ------------------------------------------------------------------------------
# Lists
# ------------------------------------------------------------------------------
def article_list(*, query: ArticleListQuery, using: str | None = None) -> QuerySet[Article]:
    """Articles newest first, filtered by tag name, author username and favoriting username."""
    articles = Article.objects.using(using)
    if query.tag:
        articles = articles.filter(tags__name=query.tag)
    if query.author:
        # By id (a subquery), not through a join on the username: with the id known up front,
        # PostgreSQL reads the page in order from articles_author_newest_idx and stops after it; through
        # the join it fetched every article of the author and sorted them (3,165 rows, 10 ms for the
        # most prolific author of the large set: docs/queries.md).
        author_ids = User.objects.using(using).filter(username=query.author).values("pk")[:1]
        articles = articles.filter(author_id=Subquery(author_ids))
    if query.favorited:
        articles = articles.filter(favorites__user__username=query.favorited)
    return articles.order_by("-created_at", "-id")


def article_rows(articles: QuerySet[Article]) -> list[ArticleRow]:
    """The (id, author id, createdAt) of `articles`: no article is loaded."""
    return [
        (pk, author_id, datetime_to_str(created_at))
        for pk, author_id, created_at in articles.values_list("pk", "author_id", "created_at")
    ]


def article_id_pages(
    queries: list[ArticleListQuery], using: str | None = None
) -> dict[ArticleListQuery, ArticleIdPage]:
    """
    Each page's rows (an index range read, ids only) and the list's count: a counter row's for one
    filter or none, a count within the filters when they are combined.
    """
    return {query: _article_id_page(query, using=using) for query in queries}


def _article_id_page(query: ArticleListQuery, *, using: str | None) -> ArticleIdPage:
    articles = article_list(query=query, using=using)
    count = article_count_get(tag=query.tag, author=query.author, favorited=query.favorited, using=using)
    if count is None:
        count = articles.count()
    members = _few_members(query, count=count, using=using)
    if members is not None:
        articles = Article.objects.using(using).filter(pk__in=members).order_by("-created_at", "-id")
    rows = article_rows(page_slice(articles, cursor=query.cursor, limit=query.limit, offset=query.offset))
    return {"rows": rows, "count": count}


# A tag's or a user's favorites with at most this many articles may be read member ids first.
FEW_MEMBERS_MAX = 10_000


def _few_members(query: ArticleListQuery, *, count: int, using: str | None) -> list[int] | None:
    """
    The ids of the articles of a one-tag or one-favoriter list when there are few, else None.

    Newest first, PostgreSQL reads such a list by walking the index of all articles from the newest
    and keeping those with the tag: quick for a common tag (one article in 50 has it: 1,000 steps
    for a page), but a rare one (a new tag, 5 articles) makes it walk the whole table, 2.5 s at 1M
    articles. Its statistics cannot tell a rare tag from a common one, the counter rows can: when a
    list's `count` is under sqrt(depth x all articles), where the walk would read more than the list
    holds, its member ids are read first (one index range) and only those articles sorted.
    """
    if sum(1 for value in (query.tag, query.author, query.favorited) if value) != 1 or query.author:
        return None
    if count > FEW_MEMBERS_MAX:
        return None
    depth = query.offset + query.limit + 1
    everything = article_count_get(tag=None, author=None, favorited=None, using=using) or 0
    if count * count > depth * everything:
        return None
    if query.tag:
        links = Article.tags.through.objects.using(using).filter(tag__name=query.tag)
        return list(links.values_list("article_id", flat=True))
    favorites = Favorite.objects.using(using).filter(user__username=query.favorited)
    return list(favorites.values_list("article_id", flat=True))


def article_page(entries: list[Entry], rows: list[ArticleRow], count: int, *, limit: int) -> ArticlePage:
    """The page of `rows` (one more than `limit` if a next page exists) as `entries`, with count and next cursor."""
    next_cursor = None
    if len(rows) > limit:
        article_id, _, created_at = rows[limit - 1]
        next_cursor = cursor_encode(created_at=created_at, id=article_id)
    return ArticlePage(entries=entries, next_cursor=next_cursor, count=count)


# ------------------------------------------------------------------------------
# Shared data, loaded by the cached reads of articles.caching
# ------------------------------------------------------------------------------
def article_contents(
    article_ids: Iterable[int], *, with_body: bool = False, using: str | None = None
) -> dict[int, dict[str, Any]]:
    """
    The content of each article that exists: what does not change unless it is edited (everything
    but its favorites count, its author's profile and the viewer's flags), in two queries.
    """
    return article_parts(article_ids, with_body=with_body, using=using).contents


class ArticleParts(NamedTuple):
    """One read of articles' rows: content and favorites count by article id, public profile by author id."""

    contents: dict[int, dict[str, Any]]
    favorites_counts: dict[int, int]
    author_profiles: dict[int, dict[str, Any]]


def article_parts(article_ids: Iterable[int], *, with_body: bool = False, using: str | None = None) -> ArticleParts:
    """
    Each existing article's content, favorites count and author's public profile, in two queries:
    the rows with their authors joined, then the tags. A cold article (just published, or favorited
    far down the list) is then two queries, where one per part cost five.
    """
    rows = Article.objects.using(using).select_related("author").filter(pk__in=list(article_ids))
    if not with_body:  # lists show no body: not read (nor fetched from TOAST, where it is often kept)
        rows = rows.defer("body")
    articles = list(rows)
    tags = tag_names_by_article(article_ids=[article.pk for article in articles], using=using)
    shape = ArticleSerializer if with_body else ArticleListItemSerializer
    return ArticleParts(
        contents={
            article.pk: {"author_id": article.author_id, **shape.entry_data(article, tagList=tags[article.pk])}
            for article in articles
        },
        favorites_counts={article.pk: article.favorites_count for article in articles},
        author_profiles={article.author_id: ProfileSerializer.entry_data(article.author) for article in articles},
    )


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


def article_favorites_counts(article_ids: Iterable[int], *, using: str | None = None) -> dict[int, int]:
    """The favorites count of each article that exists, in one primary-key query."""
    articles = Article.objects.using(using).filter(pk__in=list(article_ids))
    return dict(articles.values_list("pk", "favorites_count"))


def article_refs_by_slug(slugs: Iterable[str], *, using: str | None = None) -> dict[str, tuple[int, int]]:
    """The (id, author id) of the article at each slug that exists, in one query."""
    articles = Article.objects.using(using).filter(slug__in=list(slugs))
    return {slug: (pk, author_id) for slug, pk, author_id in articles.values_list("slug", "pk", "author_id")}


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


def article_list_data(page: ArticlePage, *, viewer: Viewer) -> dict[str, Any]:
    """A page of articles as `viewer` sees it: the list responses' shape (the article list and the feed)."""
    articles = articles_for_viewer(page.entries, viewer=viewer)
    return {"articles": articles, "articlesCount": page.count, "nextCursor": page.next_cursor}


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


def article_lock(*, article_id: int) -> None:
    """
    Holds the article's row (SELECT ... FOR UPDATE) until the caller's transaction ends: a conditional
    write (v2's `If-Match`) reads the article's current version and writes it under the lock, so no
    other write of it can land in between. On SQLite a no-op, and none is needed: its write
    transactions start IMMEDIATE (config.settings), so they run one at a time.
    """
    list(Article.objects.select_for_update().filter(pk=article_id).values_list("pk", flat=True))


def article_favorites_counted() -> Coalesce:
    """Each article's number of Favorite rows, as an expression to annotate or update with (0 when none)."""
    counts = Favorite.objects.filter(article_id=OuterRef("pk")).order_by().values("article_id").annotate(n=Count("pk"))
    return Coalesce(Subquery(counts.values("n")), 0)
