from rest_framework import serializers

from apps.api.fields import StrictCharField
from apps.api.serializers import (
    CursorOnlyParamsMixin,
    CursorPageSerializer,
    CursorParamsSerializer,
    EntrySerializer,
    limit_field,
)
from apps.api.versions import shape_of
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


@shape_of(CommentListParamsSerializer, version="v2")
class CommentListParamsV2Serializer(CursorOnlyParamsMixin, CommentListParamsSerializer):
    """A page of an article's comments, newest first: `limit` and `cursor` (an `offset` is refused)."""


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


@shape_of(CommentListResponseSerializer, version="v2")
class CommentListV2ResponseSerializer(CursorPageSerializer):
    class Meta:
        ref_name = "CommentListResponse"  # v1's name: openapi.v2.yaml has v2's shape under it

    comments = CommentSerializer(many=True)
