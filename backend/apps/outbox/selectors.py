import contextlib
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from apps.outbox.models import OutboxMessage
from config.celery import app as celery_app

BROKER_CONNECT_RETRIES = 1


def outbox_backlog() -> dict[str, Any]:
    """
    The rows not yet handed to the broker: how many, how many are due now, how many have failed at
    least once, the age of the oldest (seconds) and the most recent error.
    """
    now = timezone.now()
    pending = OutboxMessage.objects.filter(sent_at__isnull=True)
    totals = pending.aggregate(
        pending=Count("pk"),
        due=Count("pk", filter=Q(available_at__lte=now)),
        failing=Count("pk", filter=Q(attempts__gt=0)),
        oldest=Min("created_at"),
    )
    oldest = totals.pop("oldest")
    last_failure = pending.filter(attempts__gt=0).order_by("-pk").values("pk", "task", "attempts", "last_error").first()
    return {
        **totals,
        "oldest_age_seconds": round((now - oldest).total_seconds(), 1) if oldest else None,
        "last_failure": last_failure,
    }


def broker_queue_lengths() -> dict[str, int | None]:
    """
    The number of ready messages in each configured queue (None for a queue RabbitMQ does not know
    yet); {} without a broker. Raises the broker's connection error when it is unreachable.
    """
    if celery_app.conf.task_always_eager:
        return {}
    lengths: dict[str, int | None] = {}
    with celery_app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=BROKER_CONNECT_RETRIES, interval_start=0.2, interval_step=0.2)
        for name in sorted(celery_app.amqp.queues):
            channel = connection.channel()
            try:
                _, lengths[name], _ = channel.queue_declare(queue=name, passive=True)
            except connection.channel_errors:
                # Redis keeps no key for an empty list: there, unknown means empty.
                lengths[name] = 0 if connection.transport.driver_type == "redis" else None
            finally:
                # The broker closes a channel itself after a failed passive declare.
                with contextlib.suppress(Exception):
                    channel.close()
    return lengths
