from django.core.validators import RegexValidator
from rest_framework import serializers

from apps.api.fields import StrictCharField, StrictEmailField, StrictURLField
from apps.users.models import BIO_MAX_LENGTH, IMAGE_MAX_LENGTH, User
from apps.users.services import user_issue_token

EMAIL_MAX_LENGTH = 254  # the column's size (RFC 5321)
USERNAME_MAX_LENGTH = 64
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
# Usernames appear in URLs (/profiles/<username>) and to other people: ASCII letters, digits, _ and -,
# and dots only between them, so no `.` or `..` path segment and no Unicode look-alike ("admin" with a
# Cyrillic U+0430 for its "a") can pass for someone else. Uniqueness ignores case (apps.users.models).
username_validator = RegexValidator(
    r"^(?!.*\.\.)[A-Za-z0-9_-](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?\Z",
    "may contain only ASCII letters, digits, _ and -, and single dots between them",
)


def username_field(*, required: bool = True) -> serializers.CharField:
    return StrictCharField(max_length=USERNAME_MAX_LENGTH, validators=[username_validator], required=required)


def password_field(*, required: bool = True) -> serializers.CharField:
    return StrictCharField(
        min_length=PASSWORD_MIN_LENGTH,
        max_length=PASSWORD_MAX_LENGTH,
        write_only=True,
        trim_whitespace=False,
        required=required,
    )


# ------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------
class UserRegistrationSerializer(serializers.Serializer):
    username = username_field()
    email = StrictEmailField(max_length=EMAIL_MAX_LENGTH)
    password = password_field()


class UserRegistrationBodySerializer(serializers.Serializer):
    user = UserRegistrationSerializer()


class UserLoginSerializer(serializers.Serializer):
    email = StrictCharField()
    password = StrictCharField(write_only=True, trim_whitespace=False)


class UserLoginBodySerializer(serializers.Serializer):
    user = UserLoginSerializer()


class UserUpdateSerializer(serializers.Serializer):
    """Every field is optional; only those sent change. `""` or null clears bio and image."""

    email = StrictEmailField(max_length=EMAIL_MAX_LENGTH, required=False)
    username = username_field(required=False)
    password = password_field(required=False)
    bio = StrictCharField(max_length=BIO_MAX_LENGTH, required=False, allow_blank=True, allow_null=True)
    image = StrictURLField(max_length=IMAGE_MAX_LENGTH, required=False, allow_blank=True, allow_null=True)


class UserUpdateBodySerializer(serializers.Serializer):
    user = UserUpdateSerializer()


# ------------------------------------------------------------------------------
# Responses
# ------------------------------------------------------------------------------
class UserSerializer(serializers.Serializer):
    """The signed-in user, with a fresh token."""

    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    token = serializers.SerializerMethodField()
    username = serializers.CharField()
    bio = serializers.CharField(allow_null=True)
    image = serializers.CharField(allow_null=True)

    def get_token(self, user: User) -> str:
        return user_issue_token(user=user)


class UserResponseSerializer(serializers.Serializer):
    user = UserSerializer()
