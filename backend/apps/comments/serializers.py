from rest_framework import serializers

from apps.api.fields import StrictCharField
from apps.api.serializers import CursorParamsSerializer, EntrySerializer, limit_field
from apps.comments.models import COMMENT_BODY_MAX_LENGTH, COMMENT_PAGE_MAX_SIZE
from apps.profiles.serializers import ProfileSerializer


# ------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------
class CommentListParamsSerializer(CursorParamsSerializer):
    """A page of an article's comments, newest first: `limit` and `cursor` (the `nextCursor` of the previous page)."""

    MAX_LIMIT = COMMENT_PAGE_MAX_SIZE

    limit = limit_field(
        default=COMMENT_PAGE_MAX_SIZE, maximum=COMMENT_PAGE_MAX_SIZE, hint="Follow `nextCursor` for older comments."
    )


class CommentCreateSerializer(serializers.Serializer):
    body = StrictCharField(max_length=COMMENT_BODY_MAX_LENGTH)


class CommentCreateBodySerializer(serializers.Serializer):
    comment = CommentCreateSerializer()


# ------------------------------------------------------------------------------
# Responses
# ------------------------------------------------------------------------------
class CommentSerializer(EntrySerializer):
    OVERLAID_FIELDS = frozenset({"author"})  # the author's profile entry, laid over per id

    id = serializers.IntegerField()
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")
    body = serializers.CharField()
    author = ProfileSerializer()


class CommentResponseSerializer(serializers.Serializer):
    comment = CommentSerializer()


class CommentListResponseSerializer(serializers.Serializer):
    comments = CommentSerializer(many=True)
    nextCursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next (older) comments; null on the last page."
    )
