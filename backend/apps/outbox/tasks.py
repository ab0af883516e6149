from celery import shared_task

from apps.outbox.services import outbox_purge_sent, outbox_relay

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
