import contextlib
from datetime import timedelta
from typing import Any

import pytest
from celery.exceptions import NotRegistered
from django.db import transaction
from django.utils import timezone

from apps.core.request_id import request_id_reset, request_id_set
from apps.outbox.models import OutboxMessage
from apps.outbox.services import (
    broker_available,
    outbox_enqueue,
    outbox_purge_sent,
    outbox_relay,
    registered_task,
)
from apps.outbox.tasks import confirm_outbox_message
from tests.celery_helpers import nudge_grace_over, use_broker
from tests.outbox.tasks import CALLS

pytestmark = pytest.mark.django_db

RECORD = "tests.outbox.record"


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()


def test_outbox_enqueue_writes_a_row_and_publishes_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message = outbox_enqueue(task=RECORD, kwargs={"value": 1})
    assert message is not None
    assert message.sent_at is None
    assert CALLS == []
    for callback in callbacks:
        callback()
    assert [call["value"] for call in CALLS] == [1]
    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.attempts == 0


def test_outbox_enqueue_with_a_taken_dedup_key_is_a_no_op(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox_enqueue(task=RECORD, kwargs={"value": 1}, dedup_key="once")
        second = outbox_enqueue(task=RECORD, kwargs={"value": 2}, dedup_key="once")
    assert first is not None
    assert second is None
    assert OutboxMessage.objects.count() == 1
    assert [call["value"] for call in CALLS] == [1]


def test_outbox_enqueue_in_a_rolled_back_transaction_leaves_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(RuntimeError), transaction.atomic():
        outbox_enqueue(task=RECORD, kwargs={"value": 1})
        raise RuntimeError("the change fails")
    assert not OutboxMessage.objects.exists()
    assert CALLS == []


def test_outbox_enqueue_rejects_an_unknown_task():
    with pytest.raises(NotRegistered):
        outbox_enqueue(task="tests.outbox.no_such_task", kwargs={})


def test_the_request_id_travels_with_the_task(django_capture_on_commit_callbacks):
    token = request_id_set("req-123")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message = outbox_enqueue(task=RECORD, kwargs={"value": 1})
    finally:
        request_id_reset(token)
    assert message is not None
    assert message.request_id == "req-123"
    assert CALLS == [{"value": 1, "request_id": "req-123"}]


def test_outbox_relay_publishes_each_message_once():
    for value in (1, 2):
        outbox_enqueue(task=RECORD, kwargs={"value": value})  # not committed: no nudge has run
    assert outbox_relay().sent == 0  # the rows wait for their nudge first
    nudge_grace_over()
    assert outbox_relay().sent == 2
    assert outbox_relay().sent == 0
    assert sorted(call["value"] for call in CALLS) == [1, 2]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_a_row_its_caller_publishes_itself_is_due_for_the_relay_at_once():
    # Ref: #11: the fan-out's chunks (nudge=False) are published by the fan-out; if its worker dies
    # before, the relay must take them now, not after the grace a nudged row waits for its worker.
    outbox_enqueue(task=RECORD, kwargs={"value": 1}, nudge=False)
    assert outbox_relay().sent == 1
    assert [call["value"] for call in CALLS] == [1]


def test_a_failing_task_stays_pending_with_a_backoff(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(task="tests.outbox.fail", kwargs={})
    assert message is not None
    message.refresh_from_db()
    assert message.sent_at is None
    assert message.attempts == 1
    assert message.last_error == "RuntimeError: boom"
    assert message.available_at > timezone.now()
    assert outbox_relay().sent == 0  # not due yet

    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    result = outbox_relay()
    assert (result.sent, result.failed) == (0, 1)
    message.refresh_from_db()
    assert message.attempts == 2


def test_a_broker_outage_keeps_the_write_and_the_message(dead_broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(task=RECORD, kwargs={"value": 1})  # the nudge fails: no exception
    assert message is not None
    message.refresh_from_db()
    assert message.sent_at is None
    assert message.attempts == 1
    assert "OperationalError" in message.last_error
    assert not broker_available()  # later nudges of this process skip the dead broker

    assert outbox_relay().broker_error is not None
    use_broker(None)  # the "broker" is back
    assert outbox_relay().sent == 1
    assert [call["value"] for call in CALLS] == [1]


def test_a_broker_error_stops_the_batch(dead_broker):
    for value in (1, 2, 3):
        outbox_enqueue(task=RECORD, kwargs={"value": value})
    nudge_grace_over()
    result = outbox_relay()
    assert result.sent == 0
    assert result.broker_error is not None
    # Only the first row was tried; none was pushed back (the relay loop backs off as a whole).
    assert sorted(OutboxMessage.objects.values_list("attempts", flat=True)) == [0, 0, 1]
    assert not OutboxMessage.objects.filter(available_at__gt=timezone.now()).exists()


def test_outbox_purge_sent_deletes_only_old_sent_rows():
    now = timezone.now()
    old = OutboxMessage.objects.create(task=RECORD, sent_at=now - timedelta(days=30))
    recent = OutboxMessage.objects.create(task=RECORD, sent_at=now - timedelta(hours=1))
    pending = OutboxMessage.objects.create(task=RECORD, created_at=now - timedelta(days=30))
    assert outbox_purge_sent(older_than=timedelta(days=7)) == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()


# ------------------------------------------------------------------------------
# What a write pays: one statement in its transaction, nothing after the commit
# ------------------------------------------------------------------------------
def worker_starts(message: dict[str, Any]) -> None:
    """What a worker does with a message before running its task: the outbox's task_prerun handler."""
    task = registered_task(message["task"])
    task.push_request(**message, is_eager=False)
    try:
        confirm_outbox_message(task=task)
    finally:
        task.pop_request()


def test_outbox_enqueue_is_one_statement_whether_the_key_is_new_or_taken(django_assert_num_queries):
    with django_assert_num_queries(1):
        first = outbox_enqueue(task=RECORD, kwargs={"value": 1}, dedup_key="once")
    with django_assert_num_queries(1):
        second = outbox_enqueue(task=RECORD, kwargs={"value": 2}, dedup_key="once")
    assert first is not None
    assert second is None
    assert OutboxMessage.objects.get().pk == first.pk
    assert OutboxMessage.objects.get().kwargs == {"value": 1}


def test_the_nudge_publishes_without_a_statement_and_the_worker_marks_the_row_sent(
    memory_broker, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks() as callbacks:
        message = outbox_enqueue(task=RECORD, kwargs={"value": 1})
    assert message is not None
    with django_assert_num_queries(0):
        for callback in callbacks:
            callback()
    assert [headers["outbox_id"] for headers in memory_broker] == [message.pk]
    assert memory_broker[0]["outbox_confirm"] is True
    message.refresh_from_db()
    assert message.sent_at is None
    assert message.available_at > timezone.now()
    assert outbox_relay().sent == 0  # the row is its nudge's until the grace is over

    worker_starts(memory_broker[0])
    message.refresh_from_db()
    assert message.sent_at is not None
    nudge_grace_over()
    assert outbox_relay().sent == 0


def test_a_row_no_worker_confirmed_is_published_again_after_the_grace(
    memory_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(task=RECORD, kwargs={"value": 1})
    assert message is not None
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now() - timedelta(seconds=1))
    assert outbox_relay().sent == 1
    assert [headers["outbox_id"] for headers in memory_broker] == [message.pk, message.pk]
    assert "outbox_confirm" not in memory_broker[1]  # the relay marked it sent itself
    message.refresh_from_db()
    assert message.sent_at is not None


def test_rows_the_broken_circuit_kept_from_the_broker_are_due_at_once(dead_broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(task=RECORD, kwargs={"value": 1})  # fails and opens the breaker
    with django_capture_on_commit_callbacks(execute=True):
        skipped = outbox_enqueue(task=RECORD, kwargs={"value": 2})  # not even tried
    assert skipped is not None
    skipped.refresh_from_db()
    assert (skipped.attempts, skipped.sent_at) == (0, None)
    assert skipped.available_at <= timezone.now()
    use_broker(None)
    assert outbox_relay().sent == 2
