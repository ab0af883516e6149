from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared types, base exceptions and the request id: what every other app may use, importing none of them."""

    name = "apps.core"
    label = "core"
