from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS

from apps.api.pagination import Cursor, entry_cursor, page_of, page_slice
from apps.articles.models import Article
from apps.articles.selectors import article_get_plain
from apps.caching.generations import Versions, cached
from apps.comments.caching import COMMENT_LIST_TTL, comment_list_cache_key
from apps.comments.models import COMMENT_PAGE_MAX_SIZE, Comment
from apps.comments.serializers import CommentSerializer
from apps.core.exceptions import NotFoundError, PermissionDeniedError
from apps.core.types import Entry, Viewer
from apps.profiles.selectors import with_author_following
from apps.users.models import User


def comment_entries(comments: list[Comment]) -> list[Entry]:
    return [
        {"id": comment.pk, "author_id": comment.author_id, "data": CommentSerializer.entry_data(comment)}
        for comment in comments
    ]


class CommentPage(NamedTuple):
    comments: list[dict[str, Any]]
    next_cursor: str | None


def comment_list_entries(*, slug: str, limit: int, cursor: Cursor | None, using: str | None = None) -> list[Entry]:
    """
    A page of the comments of the article at `slug`, newest first, after `cursor`, with one more
    when there is one (`page_of`); two queries. NotFoundError if there is no such article.
    """
    article = article_get_plain(slug=slug, using=using)
    comments = Comment.objects.using(using).select_related("author").filter(article=article)
    return comment_entries(list(page_slice(comments.order_by("-created_at", "-id"), cursor=cursor, limit=limit)))


def comment_list_data(
    *,
    slug: str,
    viewer: Viewer,
    versions: Versions | None,
    limit: int = COMMENT_PAGE_MAX_SIZE,
    cursor: Cursor | None = None,
) -> CommentPage:
    """
    A page of the comments of the article at `slug` as `viewer` sees them, and the next page's cursor.

    With `versions` (see comments.caching), the shared page comes from the cache, filled from the
    primary database.
    """
    if versions is None:
        entries = comment_list_entries(slug=slug, limit=limit, cursor=cursor)
    else:
        key = comment_list_cache_key(slug, limit=limit, cursor=cursor, versions=versions)
        entries = cached(
            key,
            COMMENT_LIST_TTL,
            lambda: comment_list_entries(slug=slug, limit=limit, cursor=cursor, using=DEFAULT_DB_ALIAS),
        )
    shown, next_cursor = page_of(entries, limit, cursor_of=entry_cursor)
    return CommentPage(with_author_following(shown, viewer=viewer), next_cursor)


def comment_data_for(*, comment: Comment, viewer: Viewer) -> dict[str, Any]:
    """One comment (its author loaded) as `viewer` sees it."""
    return with_author_following(comment_entries([comment]), viewer=viewer)[0]


def comment_get_for_author(*, article: Article, comment_id: int, user: User) -> Comment:
    """The article's comment `comment_id` if `user` wrote it: NotFoundError, then PermissionDeniedError."""
    comment = Comment.objects.filter(article=article, pk=comment_id).first()
    if comment is None:
        raise NotFoundError("comment")
    if comment.author_id != user.pk:
        raise PermissionDeniedError("comment")
    comment.article = article  # already loaded: spares the services a query
    return comment
