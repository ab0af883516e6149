import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.outbox.models import OutboxMessage
from apps.outbox.services import outbox_enqueue
from tests.celery_helpers import nudge_grace_over
from tests.outbox.tasks import CALLS

pytestmark = pytest.mark.django_db


def test_relay_outbox_once_publishes_the_pending_messages():
    CALLS.clear()
    for value in (1, 2):
        outbox_enqueue(task="tests.outbox.record", kwargs={"value": value})
    nudge_grace_over()
    out = StringIO()
    call_command("relay_outbox", "--once", stdout=out)
    assert "sent 2" in out.getvalue()
    assert sorted(call["value"] for call in CALLS) == [1, 2]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_tasks_status_shows_the_outbox_backlog():
    outbox_enqueue(task="tests.outbox.record", kwargs={"value": 1})  # its nudge has not run: not due yet
    outbox_enqueue(task="tests.outbox.record", kwargs={"value": 2})
    OutboxMessage.objects.filter(kwargs__value=2).update(available_at=timezone.now())
    out = StringIO()
    call_command("tasks_status", stdout=out)
    assert "outbox: 2 pending (1 due now, 0 failed at least once)" in out.getvalue()
    assert "broker: none (tasks run eagerly" in out.getvalue()


def test_tasks_status_reports_an_unreachable_broker(dead_broker):
    out = StringIO()
    call_command("tasks_status", "--json", stdout=out)
    status = json.loads(out.getvalue())
    assert status["outbox"]["pending"] == 0
    assert "127.0.0.1" in status["broker"]
    assert "guest:guest" not in status["broker"]  # the password is masked
    assert "OperationalError" in status["broker_error"]
