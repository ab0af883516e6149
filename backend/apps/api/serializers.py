from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from rest_framework import serializers

from apps.api.fields import QueryIntegerField
from apps.api.pagination import Position, cursor_decode


class ErrorSerializer(serializers.Serializer):
    """The one error envelope of the API: `{"errors": {"<field>": ["<message>", ...]}}`."""

    # A declared field, which the serializer's metaclass moves off the class: `Serializer.errors` is untouched.
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]


def limit_field(*, default: int, maximum: int, hint: str = "") -> QueryIntegerField:
    """A list's `limit` parameter: 1 or more, `default` when absent; its serializer caps it at `maximum`."""
    return QueryIntegerField(
        min_value=1,
        default=default,
        help_text=f"Page size: 1 to {maximum} (capped), default {default}.{f' {hint}' if hint else ''}",
    )


class CursorParamsSerializer(serializers.Serializer):
    """
    A page of a newest-first list (apps.api.pagination): `limit` (1 to MAX_LIMIT, larger values are
    capped) and `cursor`: the `nextCursor` of the previous page, decoded by `decode_cursor` (ValueError:
    "is invalid"). Each list may redeclare `limit` (`limit_field`) with its own default and maximum,
    and `cursor` with its own codec.
    """

    MAX_LIMIT = 100

    limit = limit_field(default=20, maximum=MAX_LIMIT)
    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Keyset pagination: the `nextCursor` of the previous page; empty: none.",
    )

    @staticmethod
    def decode_cursor(value: str) -> Position:
        return cursor_decode(value)

    def validate_limit(self, value: int) -> int:
        return min(value, self.MAX_LIMIT)

    def validate_cursor(self, value: str) -> Position | None:
        if not value:
            return None
        try:
            return self.decode_cursor(value)
        except ValueError:
            raise serializers.ValidationError("is invalid") from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("cursor", None)
        return attrs


class PaginationParamsSerializer(CursorParamsSerializer):
    """
    `limit` (1 to 100, default 20; larger values are capped) and `offset` (default 0, at most
    settings.PAGINATION_MAX_OFFSET), as in RealWorld; or, for infinite scroll and deeper pages,
    `cursor`: the `nextCursor` of the previous page.
    """

    # Bounded (settings.PAGINATION_MAX_OFFSET): a deep offset makes the database walk every skipped row.
    offset = QueryIntegerField(
        min_value=0,
        max_value=settings.PAGINATION_MAX_OFFSET,
        default=0,
        error_messages={"max_value": "must be at most {max_value}; page deeper with `cursor`"},
        help_text=(
            f"Items to skip: 0 to {settings.PAGINATION_MAX_OFFSET} (422 beyond), default 0. "
            "Deeper pages: `cursor` instead."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("cursor") and attrs["offset"]:
            raise serializers.ValidationError({"offset": ["cannot be combined with cursor"]})
        return super().validate(attrs)


def datetime_to_str(value: datetime) -> str:
    """UTC ISO 8601 with microseconds, as the API's DATETIME_FORMAT renders it (dict builders use it)."""
    return value.astimezone(UTC).strftime(settings.REST_FRAMEWORK["DATETIME_FORMAT"])
