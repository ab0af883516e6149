from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed


class ApiConfig(AppConfig):
    """The HTTP edge: base view, error envelope, parsing, pagination, versioning, throttling, HTTP caching."""

    name = "apps.api"
    label = "api"

    def ready(self) -> None:
        # Registers the OpenAPI extension that documents the Token auth scheme.
        from apps.api import schema  # noqa: F401

        setting_changed.connect(_versions_setting_changed)
        # A deprecation date that is not a date fails the start, not the first request.
        from apps.api.versions import VERSIONS, deprecation_of

        for name in VERSIONS:
            deprecation_of(name)


def _versions_setting_changed(*, setting: str, **kwargs: Any) -> None:
    """Tests switch a version's deprecation on with override_settings(API_VERSIONS=...): parse it again."""
    if setting == "API_VERSIONS":
        from apps.api.versions import reset_deprecations

        reset_deprecations()
