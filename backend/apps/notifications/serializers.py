from rest_framework import serializers

from apps.api.fields import StrictBooleanField
from apps.api.pagination import id_cursor_decode, id_cursor_encode
from apps.api.serializers import CursorOnlyParamsMixin, CursorPageSerializer, CursorParamsSerializer
from apps.api.versions import shape_of
from apps.notifications.models import Notification, NotificationKind

NOTIFICATION_CURSOR_PREFIX = "n"


def notification_cursor(notification: Notification) -> str:
    """The opaque cursor of the page after `notification` (notifications are newest first by id)."""
    return id_cursor_encode(notification.pk, prefix=NOTIFICATION_CURSOR_PREFIX)


# ------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------
class NotificationListParamsSerializer(CursorParamsSerializer):
    """`limit` (1 to 100, default 20; larger values are capped) and `cursor` (a page's `nextCursor`)."""

    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="The `nextCursor` of the previous page; omit it (or leave it empty) for the first page.",
    )

    @staticmethod
    def decode_cursor(value: str) -> int:
        return id_cursor_decode(value, prefix=NOTIFICATION_CURSOR_PREFIX)


@shape_of(NotificationListParamsSerializer, version="v2")
class NotificationListParamsV2Serializer(CursorOnlyParamsMixin, NotificationListParamsSerializer):
    """`limit` (1 to 100, default 20; larger values are capped) and `cursor` (a page's `nextCursor`); no `offset`."""


class NotificationPreferencesSerializer(serializers.Serializer):
    emailNotifications = StrictBooleanField(
        source="email_notifications",
        help_text="E-mail me my notifications (new articles of the authors I follow, comments and favorites "
        "on my articles). Off by default.",
    )


class NotificationPreferencesBodySerializer(serializers.Serializer):
    preferences = NotificationPreferencesSerializer()


# ------------------------------------------------------------------------------
# Responses
# ------------------------------------------------------------------------------
class NotificationActorSerializer(serializers.Serializer):
    """Who caused the notification."""

    username = serializers.CharField()
    image = serializers.CharField(allow_null=True)


class NotificationArticleSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()


class NotificationCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()


class NotificationSerializer(serializers.Serializer):
    """
    `kind` says what happened: `article_published` (`actor`, whom you follow, published `article`),
    `article_commented` (`actor` commented on your `article`: `comment`), `article_favorited`
    (`actor` favorited your `article`). `readAt` is null while unread.
    """

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    createdAt = serializers.DateTimeField(source="created_at")
    readAt = serializers.DateTimeField(source="read_at", allow_null=True)
    actor = NotificationActorSerializer()
    article = NotificationArticleSerializer()
    comment = NotificationCommentSerializer(allow_null=True)


class NotificationResponseSerializer(serializers.Serializer):
    notification = NotificationSerializer()


class NotificationListResponseSerializer(serializers.Serializer):
    notifications = NotificationSerializer(many=True)
    nextCursor = serializers.CharField(
        allow_null=True, help_text="Pass it as `cursor` for the next page; null on the last page."
    )


@shape_of(NotificationListResponseSerializer, version="v2")
class NotificationListV2ResponseSerializer(CursorPageSerializer):
    class Meta:
        ref_name = "NotificationListResponse"  # v1's name: openapi.v2.yaml has v2's shape under it

    notifications = NotificationSerializer(many=True)


class NotificationUnreadCountResponseSerializer(serializers.Serializer):
    unreadCount = serializers.IntegerField()


class NotificationPreferencesResponseSerializer(serializers.Serializer):
    preferences = NotificationPreferencesSerializer()
