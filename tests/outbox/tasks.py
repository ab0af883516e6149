"""Tasks that only the outbox tests enqueue: they record their calls."""

from typing import Any

from celery import shared_task

from apps.core.request_id import request_id_get

CALLS: list[dict[str, Any]] = []


@shared_task(name="tests.outbox.record")
def record(value: int) -> None:
    CALLS.append({"value": value, "request_id": request_id_get()})


@shared_task(name="tests.outbox.fail")
def fail() -> None:
    raise RuntimeError("boom")
