from rest_framework import serializers

from apps.api.serializers import EntrySerializer


class ProfileSerializer(EntrySerializer):
    """A user as others see them; `following` is false for anonymous viewers."""

    VIEWER_FIELDS = frozenset({"following"})

    username = serializers.CharField()
    bio = serializers.CharField(allow_null=True)
    image = serializers.CharField(allow_null=True)
    following = serializers.BooleanField()


class ProfileResponseSerializer(serializers.Serializer):
    profile = ProfileSerializer()
