from typing import Any

from celery import Task, shared_task
from celery.signals import task_prerun

from apps.outbox.services import CONFIRM_HEADER, outbox_confirm, outbox_purge_sent, outbox_relay

RELAY_TASK_BATCH = 500
RELAY_TASK_MAX_BATCHES = 10


@shared_task(name="outbox.relay", time_limit=120, soft_time_limit=100)
def outbox_relay_pending() -> int:
    """
    Beat's safety net for the relay loop: publishes what nudges could not (at most a few batches per
    run; `manage.py relay_outbox` is the dedicated, continuous relay). Returns the rows sent.
    """
    sent = 0
    for _ in range(RELAY_TASK_MAX_BATCHES):
        result = outbox_relay(limit=RELAY_TASK_BATCH)
        sent += result.sent
        if result.broker_error or result.sent < RELAY_TASK_BATCH:
            break
    return sent


@shared_task(name="outbox.purge_sent", time_limit=600, soft_time_limit=540)
def outbox_purge_sent_messages() -> int:
    """Deletes sent rows older than OUTBOX_RETENTION_DAYS."""
    return outbox_purge_sent()


@task_prerun.connect
def confirm_outbox_message(*, task: Task, **_: Any) -> None:
    """
    A worker starts a task that an on-commit nudge published: its outbox row is marked sent now (one
    UPDATE by primary key, here rather than in the request that enqueued it). Celery logs a failure
    of this handler and runs the task anyway; the relay then publishes the row again after the grace.
    """
    request = task.request
    # A worker exposes custom message headers as request attributes. An eager run is the relay's own,
    # which marks its rows itself.
    message_id = getattr(request, "outbox_id", None)
    if message_id is not None and getattr(request, CONFIRM_HEADER, False) and not request.is_eager:
        outbox_confirm(message_id=message_id)
