from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The HTTP edge: base view, error envelope, parsing, pagination, versioning, throttling, HTTP caching."""

    name = "apps.api"
    label = "api"

    def ready(self) -> None:
        # Registers the OpenAPI extension that documents the Token auth scheme.
        from apps.api import schema  # noqa: F401
