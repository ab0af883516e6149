"""
The transactional outbox: how every task is enqueued (docs/tasks.md).

- `outbox_enqueue` writes the task as a row in the caller's transaction, in one statement (`INSERT
  ... ON CONFLICT (dedup_key) DO NOTHING RETURNING id`), and asks for an immediate publish once that
  transaction commits (the "nudge"). Nothing reaches the broker before the commit, and a rolled-back
  change leaves no row behind.
- The nudge publishes the row from memory and writes nothing: the worker marks the row sent when it
  starts the task (apps.outbox.tasks). Until then the row is not due for the relay: it becomes due
  after NUDGE_GRACE (its process died between the commit and the publish, the message was lost, or
  no worker has taken it yet), or at once when the nudge could not publish it.
- `outbox_relay` publishes due rows, holding their row locks (`SELECT ... FOR UPDATE SKIP LOCKED` on
  PostgreSQL, so concurrent relays share the work) until the broker has accepted each message; only
  then is a row marked sent. When the broker is away, rows stay pending and the relay loop
  (`manage.py relay_outbox`, and the beat task `outbox.relay`) retries them.
- Without a broker (CELERY_TASK_ALWAYS_EAGER) the nudge runs the task in-process through the relay;
  a task that fails stays pending, with a backoff, exactly like a failed publish.
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
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from apps.core.db import insert_unless_conflict
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
# A row waits this long for its worker to confirm the nudge's publish before the relay publishes it
# again: longer than a task normally waits in its queue (a row published twice runs twice: tasks are
# idempotent), short enough that a process that died between its commit and its publish delays the
# task by minutes only.
NUDGE_GRACE = timedelta(minutes=2)
# The message header asking the worker to mark its row sent (set on the nudge's publishes only: the
# relay marks its own).
CONFIRM_HEADER = "outbox_confirm"
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

    Call it inside the transaction of the change that calls for the task: it adds one statement to
    it. With a `dedup_key`, the task is enqueued at most once for that key whatever the number of
    calls (None is returned for the repeats, including one whose first enqueue has not committed
    yet: the insert waits for it). The request id of the current request travels with the task.
    `nudge=False` leaves the immediate publish to the caller (one `outbox_publish_now` for many rows)
    or to the relay.
    """
    registered_task(task)  # a typo fails the write, not the relay later
    now = timezone.now()
    message = OutboxMessage(
        task=task,
        kwargs=kwargs,
        dedup_key=dedup_key,
        request_id=request_id_get() or "",
        created_at=now,
        # A nudged row waits for its worker to confirm it; one the caller publishes itself (the fan-out's
        # chunks, `nudge=False`) is due at once: if the caller dies before publishing, the relay does.
        available_at=now + NUDGE_GRACE if nudge else now,
    )
    if not insert_unless_conflict(message, conflict_fields=["dedup_key"]):
        return None
    if nudge:
        transaction.on_commit(partial(_nudge, message=message), robust=True)
    return message


def _nudge(*, message: OutboxMessage) -> None:
    """
    The on-commit publish of one row enqueued by a write. It never raises, and on success it writes
    nothing: the worker marks the row sent when it starts the task. A row it could not publish is
    made due at once, for the relay.
    """
    if celery_app.conf.task_always_eager:
        outbox_publish_now(message_ids=[message.pk])
        return
    if not broker_available():
        _make_due([message.pk])
        return
    try:
        _publish(message, retry_policy=NUDGE_RETRY_POLICY, confirm=True)
    except Exception as exc:
        # A broker error trips the breaker; anything else (a bug) is logged with its traceback.
        broker_error = isinstance(exc, BROKER_ERRORS)
        if not broker_error:
            logger.exception("outbox: immediate publish of %s failed; the relay will retry", message.pk)
        try:
            _record_failure(message, exc, backoff=not broker_error, due_now=broker_error)
        except Exception:
            logger.exception("outbox: could not record the failed publish of %s", message.pk)
        _note_broker_health(RelayResult(broker_error=f"{type(exc).__name__}: {exc}" if broker_error else None))
    else:
        _note_broker_health(RelayResult(sent=1))


def outbox_publish_now(*, message_ids: list[int]) -> None:
    """
    Publishes these rows right away and marks them sent, in one transaction (the fan-out's chunks,
    the eager nudge). It never raises, so a broker outage cannot fail the write that just committed;
    whatever is not published stays for the relay.
    """
    if not (celery_app.conf.task_always_eager or broker_available()):
        _make_due(message_ids)
        return
    try:
        outbox_relay(message_ids=message_ids, limit=len(message_ids), retry_policy=NUDGE_RETRY_POLICY)
    except Exception:
        logger.exception("outbox: immediate publish of %s failed; the relay will retry", message_ids)


def _make_due(message_ids: list[int]) -> None:
    """The nudge skipped these rows (the broker is down): the relay takes them at once, not after the grace."""
    try:
        OutboxMessage.objects.filter(pk__in=message_ids, sent_at__isnull=True).update(available_at=timezone.now())
    except Exception:
        logger.exception("outbox: could not hand %s to the relay; it takes them after the grace", message_ids)


def outbox_confirm(*, message_id: int) -> None:
    """
    A worker has started the task of row `message_id`, which the nudge published: marks the row sent,
    so that the relay does not publish it again (apps.outbox.tasks calls it, in the worker).
    """
    OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(sent_at=timezone.now())


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


def _publish(message: OutboxMessage, *, retry_policy: dict[str, Any], confirm: bool = False) -> None:
    task = registered_task(message.task)
    headers: dict[str, Any] = {"request_id": message.request_id, "outbox_id": message.pk}
    if confirm:
        headers[CONFIRM_HEADER] = True
    task.apply_async(
        kwargs=message.kwargs,
        headers=headers,
        retry=True,
        retry_policy=retry_policy,
    )


def _record_failure(message: OutboxMessage, exc: BaseException, *, backoff: bool, due_now: bool = False) -> None:
    changes: dict[str, Any] = {
        "attempts": F("attempts") + 1,
        "last_error": f"{type(exc).__name__}: {exc}"[:LAST_ERROR_MAX_LENGTH],
    }
    if backoff:
        delay = min(ROW_BACKOFF_MAX_SECONDS, 2 ** (message.attempts + 1))
        changes["available_at"] = timezone.now() + timedelta(seconds=random.uniform(delay / 2, delay))
    elif due_now:
        changes["available_at"] = timezone.now()
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
