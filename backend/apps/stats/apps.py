from django.apps import AppConfig


class StatsConfig(AppConfig):
    """Derived statistics, recomputed by periodic tasks: rankings and checks of denormalized counters."""

    name = "apps.stats"
    label = "stats"
