from datetime import UTC, datetime

from django.conf import settings
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The one error envelope of the API: `{"errors": {"<field>": ["<message>", ...]}}`."""

    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class PaginationParamsSerializer(serializers.Serializer):
    """`limit` (1 to 100, default 20; larger values are capped) and `offset` (default 0)."""

    MAX_LIMIT = 100

    limit = serializers.IntegerField(min_value=1, default=20, help_text="Page size: 1 to 100 (capped), default 20.")
    # Bounded so that no value can overflow the database's OFFSET.
    offset = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, default=0, help_text="Items to skip, default 0."
    )

    def validate_limit(self, value: int) -> int:
        return min(value, self.MAX_LIMIT)


def datetime_to_str(value: datetime) -> str:
    """UTC ISO 8601 with microseconds, as the API's DATETIME_FORMAT renders it (dict builders use it)."""
    return value.astimezone(UTC).strftime(settings.REST_FRAMEWORK["DATETIME_FORMAT"])
