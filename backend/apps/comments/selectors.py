from django.db.models import QuerySet

from apps.articles.models import Article
from apps.comments.models import Comment
from apps.core.exceptions import NotFoundError, PermissionDeniedError
from apps.profiles.selectors import Viewer, author_following_attach, following_expression
from apps.users.models import User


def _comment_queryset(*, viewer: Viewer) -> QuerySet[Comment]:
    return Comment.objects.select_related("author").annotate(
        author_following=following_expression(viewer=viewer, user_ref="author_id")
    )


def comment_list(*, article: Article, viewer: Viewer) -> list[Comment]:
    """The article's comments, newest first, in one query."""
    comments = _comment_queryset(viewer=viewer).filter(article=article).order_by("-created_at", "-id")
    return author_following_attach(list(comments))


def comment_get(*, comment_id: int, viewer: Viewer) -> Comment:
    comment = _comment_queryset(viewer=viewer).filter(pk=comment_id).first()
    if comment is None:
        raise NotFoundError("comment")
    return author_following_attach([comment])[0]


def comment_get_for_author(*, article: Article, comment_id: int, user: User) -> Comment:
    """The article's comment `comment_id` if `user` wrote it: NotFoundError, then PermissionDeniedError."""
    comment = Comment.objects.filter(article=article, pk=comment_id).first()
    if comment is None:
        raise NotFoundError("comment")
    if comment.author_id != user.pk:
        raise PermissionDeniedError("comment")
    return comment
