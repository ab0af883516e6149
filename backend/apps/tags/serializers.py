from typing import Any

from rest_framework import serializers

from apps.api.fields import StrictCharField
from apps.tags.models import TAG_MAX_LENGTH


class TagListResponseSerializer(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField())


class TagListField(serializers.ListField):
    """A list of tag names: each trimmed, blanks dropped, duplicates removed (first one kept)."""

    MAX_TAGS = 20

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=StrictCharField(max_length=TAG_MAX_LENGTH, allow_blank=True),
            max_length=self.MAX_TAGS,
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> list[str]:
        names = super().to_internal_value(data)
        return list(dict.fromkeys(name for name in names if name))
