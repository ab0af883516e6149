from collections.abc import Iterable
from typing import NamedTuple

from apps.api.pagination import page_slice
from apps.articles.models import Article
from apps.comments.models import Comment
from apps.comments.serializers import CommentSerializer
from apps.core.exceptions import NotFoundError, PermissionDeniedError
from apps.core.types import Cursor, Entry
from apps.users.models import User


class CommentPageQuery(NamedTuple):
    """A page of an article's comments: `limit` after `cursor` (None: the newest)."""

    article_id: int
    limit: int
    cursor: Cursor | None


def comment_entries(comments: Iterable[Comment]) -> list[Entry]:
    """The shared entries of `comments`, without their authors' profiles (laid over per id)."""
    return [
        {"id": comment.pk, "author_id": comment.author_id, "data": CommentSerializer.entry_data(comment)}
        for comment in comments
    ]


def comment_pages(queries: list[CommentPageQuery], using: str | None = None) -> dict[CommentPageQuery, list[Entry]]:
    """Each page of comments, newest first, with one more when there is one (`page_of`): one query per page."""
    pages = {}
    for query in queries:
        comments = Comment.objects.using(using).filter(article_id=query.article_id).order_by("-created_at", "-id")
        pages[query] = comment_entries(page_slice(comments, cursor=query.cursor, limit=query.limit))
    return pages


def comment_get_for_author(*, article: Article, comment_id: int, user: User) -> Comment:
    """The article's comment `comment_id` if `user` wrote it: NotFoundError, then PermissionDeniedError."""
    comment = Comment.objects.filter(article=article, pk=comment_id).first()
    if comment is None:
        raise NotFoundError("comment")
    if comment.author_id != user.pk:
        raise PermissionDeniedError("comment")
    comment.article = article  # already loaded: spares the services a query
    return comment
