import base64
import binascii

from rest_framework import serializers

from apps.api.fields import QueryIntegerField, StrictBooleanField
from apps.notifications.models import NotificationKind


def notification_cursor(notification_id: int) -> str:
    """The opaque cursor of the page after the notification `notification_id`."""
    return base64.urlsafe_b64encode(f"n{notification_id}".encode()).decode().rstrip("=")


# ------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------
class NotificationListParamsSerializer(serializers.Serializer):
    """`limit` (1 to 100, default 20; larger values are capped) and `cursor` (a page's `nextCursor`)."""

    MAX_LIMIT = 100

    limit = QueryIntegerField(min_value=1, default=20, help_text="Page size: 1 to 100 (capped), default 20.")
    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="The `nextCursor` of the previous page; omit it (or leave it empty) for the first page.",
    )

    def validate_limit(self, value: int) -> int:
        return min(value, self.MAX_LIMIT)

    def validate_cursor(self, value: str) -> int | None:
        if not value:
            return None
        try:
            decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            decoded = ""
        if not (decoded.startswith("n") and decoded[1:].isdigit() and 0 < int(decoded[1:]) < 2**63):
            raise serializers.ValidationError("is invalid")
        return int(decoded[1:])


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


class NotificationUnreadCountResponseSerializer(serializers.Serializer):
    unreadCount = serializers.IntegerField()


class NotificationPreferencesResponseSerializer(serializers.Serializer):
    preferences = NotificationPreferencesSerializer()
