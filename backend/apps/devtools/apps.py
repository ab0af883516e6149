from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Developer tools (`seed`, `demo`, `explain_queries`): the only app that may import every other."""

    name = "apps.devtools"
    label = "devtools"
