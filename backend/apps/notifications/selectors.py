from django.db.models import QuerySet

from apps.api.pagination import page_slice
from apps.core.exceptions import NotFoundError
from apps.notifications.models import Notification
from apps.users.models import User

# What a notification's representation reads (article bodies stay in the database).
NOTIFICATION_FIELDS = [
    "id",
    "kind",
    "created_at",
    "read_at",
    "recipient_id",
    "actor__username",
    "actor__image",
    "article__slug",
    "article__title",
    "comment__id",
    "comment__body",
]


def notification_queryset(*, user: User) -> QuerySet[Notification]:
    """`user`'s notifications with what their representation needs, in one query (no article bodies)."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor", "article", "comment")
        .only(*NOTIFICATION_FIELDS)
    )


def notification_list(*, user: User, before_id: int | None = None, limit: int) -> list[Notification]:
    """
    A page of `limit` notifications of `user`, newest first, older than notification `before_id`
    when given (cursor pagination, so pages do not shift when new notifications arrive), with one
    more when there is one (apps.api.pagination.page_of).
    """
    return list(page_slice(notification_queryset(user=user).order_by("-pk"), cursor=before_id, limit=limit))


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get(*, user: User, notification_id: int) -> Notification:
    """`user`'s notification `notification_id`; NotFoundError for anyone else's, as for a missing one."""
    notification = notification_queryset(user=user).filter(pk=notification_id).first()
    if notification is None:
        raise NotFoundError("notification")
    return notification
