from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "apps.outbox"
    label = "outbox"

    def ready(self) -> None:
        # Celery imports the apps' tasks modules lazily, when a worker starts. The web processes and
        # the relay look tasks up by name (apps.outbox.services.registered_task), so register them all
        # now: the first write after a start must not find its task unknown.
        from config.celery import app as celery_app

        celery_app.autodiscover_tasks(force=True)
