"""
Request fields that take JSON types as the schema states them.

DRF's CharField turns a number into text (`"username": 0` becomes `"0"`) and its BooleanField
takes `"yes"`, `"0"` or `1` as booleans: lenient, but not what openapi.yaml promises, and found by
the API fuzzing (docs/fuzzing.md). Request bodies use these instead; query parameters, which are
always text, keep DRF's fields.
"""

from typing import Any

from django.core.validators import URLValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A JSON string, nothing else."""

    default_error_messages = {"invalid": "must be a string"}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.URI)
class StrictURLField(StrictCharField):
    """A JSON string holding an absolute http(s) URL (no `javascript:`, `data:` or relative URL)."""

    default_error_messages = {"invalid_url": "must be an http(s) URL"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(URLValidator(schemes=["http", "https"], message=self.error_messages["invalid_url"]))


class StrictEmailField(serializers.EmailField):
    """A JSON string holding an e-mail address."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON `true` or `false`, nothing else."""

    default_error_messages = {"invalid": "must be true or false"}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class QueryIntegerField(serializers.IntegerField):
    """
    An integer query parameter: absent takes the default, but present and empty (`?limit=`) is invalid,
    as the schema says (DRF's IntegerField would take `""` for absent).
    """

    def get_value(self, dictionary: Any) -> Any:
        if self.field_name in dictionary and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


class QueryTextField(serializers.CharField):
    """
    A text query parameter that is either absent or not blank: `?q=` is invalid (DRF's CharField would
    take `""` for absent when not required), as `?q=%20` is.
    """

    def get_value(self, dictionary: Any) -> Any:
        if self.field_name in dictionary and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)
