"""The Celery configuration: every scheduled or routed task exists, and the production settings hold."""

from django.conf import settings

from apps.outbox.services import registered_task
from config.celery import ConduitTask
from config.celery import app as celery_app


def test_every_scheduled_and_routed_task_is_registered():
    names = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()] + list(settings.CELERY_TASK_ROUTES)
    for name in names:
        assert isinstance(registered_task(name), ConduitTask), name


def test_routes_point_at_declared_queues():
    declared = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    assert declared == {f"{settings.TASK_QUEUE_PREFIX}{name}" for name in ("default", "fanout", "email")}
    assert {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} <= declared
    assert settings.CELERY_TASK_DEFAULT_QUEUE in declared


def test_tasks_are_acknowledged_late_one_at_a_time_in_json_with_limits_and_backoff():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_time_limit and conf.task_soft_time_limit
    task = registered_task("notifications.article_published_chunk")
    assert task.acks_late is True
    assert (task.retry_backoff, task.retry_jitter) == (2, True)
    assert task.max_retries == 8
    assert OSError in task.autoretry_for


def test_the_suite_never_uses_the_real_queues():
    assert settings.TASK_QUEUE_PREFIX == "test."
