from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self) -> None:
        # Registers the OpenAPI extension that documents the Token auth scheme.
        from apps.core import schema  # noqa: F401
