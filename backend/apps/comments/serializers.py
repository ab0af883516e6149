from rest_framework import serializers

from apps.profiles.serializers import ProfileSerializer


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField()


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
