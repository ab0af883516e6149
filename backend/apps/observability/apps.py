from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "apps.observability"
    label = "observability"

    def ready(self) -> None:
        # Instrumentation hooks only (query timings, task counts); no business logic hangs on them.
        from apps.observability import instrumentation

        instrumentation.install()
