from rest_framework import serializers


class ProfileSerializer(serializers.Serializer):
    """A user as others see them; `following` is false for anonymous viewers."""

    username = serializers.CharField()
    bio = serializers.CharField(allow_null=True)
    image = serializers.CharField(allow_null=True)
    following = serializers.BooleanField()


class ProfileResponseSerializer(serializers.Serializer):
    profile = ProfileSerializer()
