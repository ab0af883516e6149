from collections.abc import Callable
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any, ClassVar

from django.conf import settings
from rest_framework import serializers

from apps.api.fields import QueryIntegerField
from apps.api.pagination import Position, cursor_decode
from apps.api.versions import shape_of


class ErrorSerializer(serializers.Serializer):
    """The one error envelope of the API: `{"errors": {"<field>": ["<message>", ...]}}`."""

    # A declared field, which the serializer's metaclass moves off the class: `Serializer.errors` is untouched.
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]


@shape_of(ErrorSerializer, version="v2")
class ProblemSerializer(serializers.Serializer):
    """
    An error as RFC 9457 problem details (`application/problem+json`): `type` names the kind of
    problem (stable; docs/api-versions.md), `errors` holds the messages per field.
    """

    type = serializers.CharField(help_text="The kind of problem: a stable URI (not meant to be fetched).")
    title = serializers.CharField(help_text="A short summary of the kind of problem.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(help_text="This occurrence, in words.")
    # A declared field, which the serializer's metaclass moves off the class: `Serializer.errors` is untouched.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The messages per field (or `request`, `token`, `resource`...), as v1's envelope has them.",
    )


class PageLinksSerializer(serializers.Serializer):
    next = serializers.CharField(
        allow_null=True, help_text="The path and query of the next page; null on the last page."
    )


# A page of a v2 list (apps.api.pagination.cursor_list_body); subclasses declare the items. (A comment,
# not a docstring: drf-spectacular would describe every subclass with it.)
class CursorPageSerializer(serializers.Serializer):
    nextCursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next page; null on the last page."
    )
    links = PageLinksSerializer()


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


class CursorOnlyParamsMixin(serializers.Serializer):
    """
    v2's lists page with `cursor` only: an `offset` is refused (422), not silently ignored. An empty one
    (`?offset=`) is absent, as every empty query parameter is (and as stored responses key it).
    """

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.initial_data.get("offset", "") != "":
            raise serializers.ValidationError({"offset": ["is not a parameter of this version; page with `cursor`"]})
        return super().validate(attrs)


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
        if attrs.get("cursor") and attrs.get("offset"):
            raise serializers.ValidationError({"offset": ["cannot be combined with cursor"]})
        return super().validate(attrs)


def datetime_to_str(value: datetime) -> str:
    """UTC ISO 8601 with microseconds, as the API's DATETIME_FORMAT renders it (entry builders use it)."""
    return value.astimezone(UTC).strftime(settings.REST_FRAMEWORK["DATETIME_FORMAT"])


# ------------------------------------------------------------------------------
# Response shapes built as plain dicts on the hot read paths
# ------------------------------------------------------------------------------
FieldBuilder = Callable[[Any], Any]  # an instance -> one field's value as the API renders it


# A response shape declared once, for the schema and for the wire. Its declared fields are what
# drf-spectacular documents; `entry_data` builds the same shape as a plain dict from the same
# declaration (no serializer is instantiated; once per class the fields are compiled to getters),
# minus `VIEWER_FIELDS`, the per-viewer flags that each app's `*_for_viewer` selectors lay over the
# cached entries (the views call them), and minus `OVERLAID_FIELDS`, the parts that change on their
# own (a favorites count, the author's profile) and are cached as entries of their own, laid over
# the content by the app's cached reads (apps.caching.reads). A field's value comes from its
# `source` (default: its name), a DateTimeField's rendered in UTC (`datetime_to_str`), a nested
# EntrySerializer's by its own `entry_data`. An instantiated one represents an instance by the
# same builder (`to_representation`).
# (No docstring: drf-spectacular would describe every subclass without one with it.)
class EntrySerializer(serializers.Serializer):
    VIEWER_FIELDS: ClassVar[frozenset[str]] = frozenset()
    OVERLAID_FIELDS: ClassVar[frozenset[str]] = frozenset()
    _entry_builders: ClassVar[list[tuple[str, FieldBuilder]]]  # compiled on first use, per class

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """The hot path's dict for `instance` (`entry_data`): the shared entry, without the viewer's flags."""
        return self.entry_data(instance)

    @classmethod
    def entry_data(cls, instance: Any, **given: Any) -> dict[str, Any]:
        """
        `instance`'s representation without the viewer's flags; `given` values (by field name) are
        used as they are, for what the caller fetched in bulk.
        """
        builders = cls.__dict__.get("_entry_builders") or cls._compile_entry_builders()
        return {name: given[name] if name in given else build(instance) for name, build in builders}

    @classmethod
    def _compile_entry_builders(cls) -> list[tuple[str, FieldBuilder]]:
        builders = [
            (name, entry_field_builder(name, field))
            for name, field in cls._declared_fields.items()
            if name not in cls.VIEWER_FIELDS and name not in cls.OVERLAID_FIELDS
        ]
        cls._entry_builders = builders
        return builders


def entry_field_builder(name: str, field: serializers.Field) -> FieldBuilder:
    """How `EntrySerializer.entry_data` renders one declared field; TypeError for a kind it does not know."""
    get = attrgetter(field.source or name)
    if isinstance(field, EntrySerializer):
        nested = type(field)
        return lambda instance: nested.entry_data(get(instance))
    if isinstance(field, serializers.DateTimeField):
        return lambda instance: datetime_to_str(get(instance))
    if isinstance(field, PLAIN_FIELDS):
        return get
    raise TypeError(f"{name}: an entry cannot render a {type(field).__name__}")


# Fields whose model value is already the JSON value.
PLAIN_FIELDS = (serializers.CharField, serializers.IntegerField, serializers.BooleanField, serializers.ListField)
