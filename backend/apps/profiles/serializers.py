from typing import Any

from rest_framework import serializers

from apps.users.models import User


class ProfileSerializer(serializers.Serializer):
    """A user as others see them; `following` is false for anonymous viewers."""

    username = serializers.CharField()
    bio = serializers.CharField(allow_null=True)
    image = serializers.CharField(allow_null=True)
    following = serializers.BooleanField()


class ProfileResponseSerializer(serializers.Serializer):
    profile = ProfileSerializer()


# ------------------------------------------------------------------------------
# Dict builders for the hot read paths (the serializers above document the same shapes)
# ------------------------------------------------------------------------------
def profile_data(user: User) -> dict[str, Any]:
    """A user's public profile without the viewer-dependent `following` flag."""
    return {"username": user.username, "bio": user.bio, "image": user.image}
