from typing import Any

from django.db import DEFAULT_DB_ALIAS

from apps.articles.models import Article
from apps.articles.selectors import article_get_plain
from apps.comments.caching import COMMENT_LIST_TTL, comment_list_cache_key
from apps.comments.models import Comment
from apps.comments.serializers import comment_data
from apps.core.caching import Versions, cached
from apps.core.exceptions import NotFoundError, PermissionDeniedError
from apps.profiles.selectors import Entry, Viewer, with_author_following
from apps.users.models import User


def comment_entries(comments: list[Comment]) -> list[Entry]:
    return [{"id": comment.pk, "author_id": comment.author_id, "data": comment_data(comment)} for comment in comments]


def comment_list_entries(*, slug: str, using: str | None = None) -> list[Entry]:
    """The comments of the article at `slug`, newest first, in one query; NotFoundError if no article."""
    article = article_get_plain(slug=slug, using=using)
    comments = Comment.objects.using(using).select_related("author").filter(article=article)
    return comment_entries(list(comments.order_by("-created_at", "-id")))


def comment_list_data(*, slug: str, viewer: Viewer, versions: Versions | None) -> list[dict[str, Any]]:
    """
    The comments of the article at `slug` as `viewer` sees them.

    With `versions` (see comments.caching), the shared list comes from the cache, filled from the
    primary database.
    """
    if versions is None:
        entries = comment_list_entries(slug=slug)
    else:
        key = comment_list_cache_key(slug, versions)
        entries = cached(key, COMMENT_LIST_TTL, lambda: comment_list_entries(slug=slug, using=DEFAULT_DB_ALIAS))
    return with_author_following(entries, viewer=viewer)


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
