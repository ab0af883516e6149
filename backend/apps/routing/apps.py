from django.apps import AppConfig


class RoutingConfig(AppConfig):
    """Database routing: read replicas, with read-your-writes and fallback to the primary."""

    name = "apps.routing"
    label = "routing"
