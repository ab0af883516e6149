"""
The transactional outbox: how every task is enqueued (docs/tasks.md).

- `outbox_enqueue` writes the task as a row in the caller's transaction, and asks for an immediate
  publish once that transaction commits (the "nudge"). Nothing reaches the broker before the commit,
  and a rolled-back change leaves no row behind.
- `outbox_relay` publishes pending rows, holding their row locks (`SELECT ... FOR UPDATE SKIP
  LOCKED` on PostgreSQL, so concurrent relays share the work) until the broker has accepted each
  message; only then is a row marked sent. When the broker is away, rows stay pending and the relay
  loop (`manage.py relay_outbox`, and the beat task `outbox.relay`) retries them.
- Without a broker (CELERY_TASK_ALWAYS_EAGER) the relay runs the task in-process instead; a task
  that fails stays pending, with a backoff, exactly like a failed publish.
"""

import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from celery import Task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from apps.core.request_id import request_id_get
from apps.outbox.models import OutboxMessage
from config.celery import app as celery_app

logger = logging.getLogger(__name__)

# The nudge runs inside the request that committed: one quick attempt, no waiting on a dead broker.
NUDGE_RETRY_POLICY = {"max_retries": 0}
# The relay loop may wait a little for a broker that is restarting.
RELAY_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.4, "interval_max": 1.0}
# After a broker failure, nudges are skipped for this long (the relay loop keeps probing).
BROKER_RETRY_AFTER_SECONDS = 10.0
# Backoff of a row whose task failed for a reason of its own (not registered, failed eagerly).
ROW_BACKOFF_MAX_SECONDS = 300
LAST_ERROR_MAX_LENGTH = 2000
BROKER_ERRORS = (BrokerOperationalError, OSError)

_broker_down_until = 0.0


@dataclass
class RelayResult:
    sent: int = 0
    failed: int = 0
    broker_error: str | None = None


# ------------------------------------------------------------------------------
# Enqueue
# ------------------------------------------------------------------------------
@transaction.atomic(savepoint=False)
def outbox_enqueue(
    *, task: str, kwargs: dict[str, Any], dedup_key: str | None = None, nudge: bool = True
) -> OutboxMessage | None:
    """
    Enqueues the Celery task named `task` with these (JSON) keyword arguments, after commit.

    Call it inside the transaction of the change that calls for the task. With a `dedup_key`, the
    task is enqueued at most once for that key whatever the number of calls (None is returned for
    the repeats). The request id of the current request travels with the task. `nudge=False` leaves
    the immediate publish to the caller (one `outbox_publish_now` for many rows) or to the relay.
    """
    registered_task(task)  # a typo fails the write, not the relay later
    if dedup_key is not None and OutboxMessage.objects.filter(dedup_key=dedup_key).exists():
        return None
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                task=task, kwargs=kwargs, dedup_key=dedup_key, request_id=request_id_get() or ""
            )
    except IntegrityError:
        if dedup_key is None:
            raise
        return None  # a concurrent transaction enqueued the same key first
    if nudge:
        transaction.on_commit(partial(outbox_publish_now, message_ids=[message.pk]), robust=True)
    return message


def outbox_publish_now(*, message_ids: list[int]) -> None:
    """
    The on-commit nudge: publishes these rows right away. It never raises, so a broker outage cannot
    fail the write that just committed; whatever is not published stays for the relay.
    """
    if not (celery_app.conf.task_always_eager or broker_available()):
        return
    try:
        outbox_relay(message_ids=message_ids, limit=len(message_ids), retry_policy=NUDGE_RETRY_POLICY)
    except Exception:
        logger.exception("outbox: immediate publish of %s failed; the relay will retry", message_ids)


# ------------------------------------------------------------------------------
# Relay
# ------------------------------------------------------------------------------
def outbox_relay(
    *,
    limit: int = 100,
    message_ids: list[int] | None = None,
    retry_policy: dict[str, Any] | None = None,
) -> RelayResult:
    """
    Publishes up to `limit` pending rows (`message_ids`, or the due ones oldest first) and marks
    each sent once the broker has accepted it.

    A broker error stops the batch (the rest would fail the same way) and is reported in the result;
    a row that fails on its own is rescheduled with an exponential backoff.
    """
    result = RelayResult()
    eager = bool(celery_app.conf.task_always_eager)
    with transaction.atomic():
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True)
        if message_ids is not None:
            pending = pending.filter(pk__in=message_ids)
        else:
            pending = pending.filter(available_at__lte=timezone.now())
        sent: list[int] = []
        for message in pending.order_by("available_at", "id")[:limit]:
            try:
                # A savepoint: a task run eagerly that breaks the transaction must not break the batch.
                with transaction.atomic():
                    _publish(message, retry_policy=retry_policy or RELAY_RETRY_POLICY)
            except BROKER_ERRORS as exc:
                if eager:
                    result.failed += 1
                    _record_failure(message, exc, backoff=True)
                    continue
                result.broker_error = f"{type(exc).__name__}: {exc}"
                _record_failure(message, exc, backoff=False)
                break
            except Exception as exc:
                result.failed += 1
                _record_failure(message, exc, backoff=True)
                logger.exception("outbox: task %s of message %s failed to publish", message.task, message.pk)
            else:
                sent.append(message.pk)
        if sent:
            OutboxMessage.objects.filter(pk__in=sent).update(sent_at=timezone.now())
        result.sent = len(sent)
    _note_broker_health(result)
    return result


def registered_task(name: str) -> Task:
    """The Celery task named `name`, NotRegistered if none (OutboxConfig.ready registers every app's tasks)."""
    return celery_app.tasks[name]


def _publish(message: OutboxMessage, *, retry_policy: dict[str, Any]) -> None:
    task = registered_task(message.task)
    task.apply_async(
        kwargs=message.kwargs,
        headers={"request_id": message.request_id, "outbox_id": message.pk},
        retry=True,
        retry_policy=retry_policy,
    )


def _record_failure(message: OutboxMessage, exc: BaseException, *, backoff: bool) -> None:
    changes: dict[str, Any] = {
        "attempts": F("attempts") + 1,
        "last_error": f"{type(exc).__name__}: {exc}"[:LAST_ERROR_MAX_LENGTH],
    }
    if backoff:
        delay = min(ROW_BACKOFF_MAX_SECONDS, 2 ** (message.attempts + 1))
        changes["available_at"] = timezone.now() + timedelta(seconds=random.uniform(delay / 2, delay))
    OutboxMessage.objects.filter(pk=message.pk).update(**changes)


# ------------------------------------------------------------------------------
# Broker health, as seen by this process
# ------------------------------------------------------------------------------
def broker_available() -> bool:
    return time.monotonic() >= _broker_down_until


def reset_broker_breaker() -> None:
    """Forget a past broker failure (tests, and a process that knows the broker is back)."""
    global _broker_down_until
    _broker_down_until = 0.0


def _note_broker_health(result: RelayResult) -> None:
    global _broker_down_until
    if result.broker_error:
        _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER_SECONDS
        logger.warning("outbox: broker unavailable (%s); messages stay pending for the relay", result.broker_error)
    elif result.sent:
        _broker_down_until = 0.0


# ------------------------------------------------------------------------------
# Housekeeping
# ------------------------------------------------------------------------------
def outbox_purge_sent(*, older_than: timedelta | None = None, batch_size: int = 1000) -> int:
    """Deletes rows sent more than `older_than` ago (OUTBOX_RETENTION_DAYS by default), in small batches."""
    cutoff = timezone.now() - (older_than or timedelta(days=settings.OUTBOX_RETENTION_DAYS))
    deleted = 0
    while True:
        ids = list(OutboxMessage.objects.filter(sent_at__lt=cutoff).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        with transaction.atomic():
            deleted += OutboxMessage.objects.filter(pk__in=ids).delete()[0]
