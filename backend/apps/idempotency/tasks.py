"""Periodic task (Celery beat): safe to run twice."""

from celery import shared_task

from apps.idempotency.services import idempotency_key_purge_expired


@shared_task(name="idempotency.purge_expired", time_limit=600, soft_time_limit=540)
def idempotency_purge_expired() -> int:
    return idempotency_key_purge_expired()
