from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from rest_framework import serializers

from apps.core.pagination import Cursor, cursor_decode


class ErrorSerializer(serializers.Serializer):
    """The one error envelope of the API: `{"errors": {"<field>": ["<message>", ...]}}`."""

    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class PaginationParamsSerializer(serializers.Serializer):
    """
    `limit` (1 to 100, default 20; larger values are capped) and `offset` (default 0), as in
    RealWorld; or, for infinite scroll, `cursor`: the `nextCursor` of the previous page.
    """

    MAX_LIMIT = 100

    limit = serializers.IntegerField(min_value=1, default=20, help_text="Page size: 1 to 100 (capped), default 20.")
    # Bounded so that no value can overflow the database's OFFSET.
    offset = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, default=0, help_text="Items to skip, default 0."
    )

    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Keyset pagination: the `nextCursor` of the previous page (instead of `offset`); empty: none.",
    )

    def validate_limit(self, value: int) -> int:
        return min(value, self.MAX_LIMIT)

    def validate_cursor(self, value: str) -> Cursor | None:
        if not value:
            return None
        try:
            return cursor_decode(value)
        except ValueError:
            raise serializers.ValidationError("is invalid") from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("cursor") and attrs["offset"]:
            raise serializers.ValidationError({"offset": ["cannot be combined with cursor"]})
        attrs.setdefault("cursor", None)
        return attrs


def datetime_to_str(value: datetime) -> str:
    """UTC ISO 8601 with microseconds, as the API's DATETIME_FORMAT renders it (dict builders use it)."""
    return value.astimezone(UTC).strftime(settings.REST_FRAMEWORK["DATETIME_FORMAT"])
