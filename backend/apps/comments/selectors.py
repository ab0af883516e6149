from django.db import DEFAULT_DB_ALIAS

from apps.api.pagination import Cursor, entry_cursor, page_of, page_slice
from apps.articles.models import Article
from apps.articles.selectors import article_get_plain
from apps.caching.generations import Versions, cached
from apps.comments.caching import COMMENT_LIST_TTL, comment_list_cache_key
from apps.comments.models import COMMENT_PAGE_MAX_SIZE, Comment
from apps.comments.serializers import CommentSerializer
from apps.core.exceptions import NotFoundError, PermissionDeniedError
from apps.core.types import Entry, EntryPage
from apps.users.models import User


def comment_entries(comments: list[Comment]) -> list[Entry]:
    """The shared entries of `comments` (their authors loaded)."""
    return [
        {"id": comment.pk, "author_id": comment.author_id, "data": CommentSerializer.entry_data(comment)}
        for comment in comments
    ]


def comment_list_entries(*, slug: str, limit: int, cursor: Cursor | None, using: str | None = None) -> list[Entry]:
    """
    A page of the comments of the article at `slug`, newest first, after `cursor`, with one more
    when there is one (`page_of`); two queries. NotFoundError if there is no such article.
    """
    article = article_get_plain(slug=slug, using=using)
    comments = Comment.objects.using(using).select_related("author").filter(article=article)
    return comment_entries(list(page_slice(comments.order_by("-created_at", "-id"), cursor=cursor, limit=limit)))


def comment_list_page(
    *, slug: str, versions: Versions | None, limit: int = COMMENT_PAGE_MAX_SIZE, cursor: Cursor | None = None
) -> EntryPage:
    """
    A page of the comments of the article at `slug` as shared entries, and the next page's cursor;
    `profiles.selectors.with_author_following` lays the viewer's flags over the entries.

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
    return EntryPage(entries=shown, next_cursor=next_cursor)


def comment_get_for_author(*, article: Article, comment_id: int, user: User) -> Comment:
    """The article's comment `comment_id` if `user` wrote it: NotFoundError, then PermissionDeniedError."""
    comment = Comment.objects.filter(article=article, pk=comment_id).first()
    if comment is None:
        raise NotFoundError("comment")
    if comment.author_id != user.pk:
        raise PermissionDeniedError("comment")
    comment.article = article  # already loaded: spares the services a query
    return comment
