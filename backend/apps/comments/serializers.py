from typing import Any

from rest_framework import serializers

from apps.comments.models import Comment
from apps.core.fields import StrictCharField
from apps.core.serializers import datetime_to_str
from apps.profiles.serializers import ProfileSerializer, profile_data


class CommentCreateSerializer(serializers.Serializer):
    body = StrictCharField()


class CommentCreateBodySerializer(serializers.Serializer):
    comment = CommentCreateSerializer()


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")
    body = serializers.CharField()
    author = ProfileSerializer()


class CommentResponseSerializer(serializers.Serializer):
    comment = CommentSerializer()


class CommentListResponseSerializer(serializers.Serializer):
    comments = CommentSerializer(many=True)


def comment_data(comment: Comment) -> dict[str, Any]:
    """A comment without its viewer-dependent `author.following` (the serializer above documents it)."""
    return {
        "id": comment.pk,
        "createdAt": datetime_to_str(comment.created_at),
        "updatedAt": datetime_to_str(comment.updated_at),
        "body": comment.body,
        "author": profile_data(comment.author),
    }
