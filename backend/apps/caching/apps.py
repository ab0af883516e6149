from django.apps import AppConfig


class CachingConfig(AppConfig):
    """Caching: generation counters, cached reads, stored responses, the Redis backend, security state."""

    name = "apps.caching"
    label = "caching"
