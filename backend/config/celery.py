"""
Celery application: configured from Django settings (CELERY_* names), see docs/tasks.md.

`make worker` / `make beat` run `celery -A config worker|beat` from backend/. Without
CELERY_BROKER_URL the settings make every task run eagerly, in-process.
"""

import os
from typing import Any

from celery import Celery, Task
from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError

from apps.core.request_id import request_id_get, request_id_new, request_id_reset, request_id_set

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

# Failures worth another attempt: the database or broker briefly away, an SMTP server refusing for
# now (smtplib's errors are OSErrors), a network timeout. Anything else is a bug and fails the task.
TRANSIENT_ERRORS = (DatabaseOperationalError, InterfaceError, BrokerOperationalError, OSError)


class ConduitTask(Task):
    """
    Base of every task: the retry policy, and the request id of the request that caused the task.

    Transient failures are retried up to `max_retries` times after exponentially growing delays
    (2 s, 4 s, 8 s... capped at `retry_backoff_max`), each drawn at random below that bound (full
    jitter) so that a fleet of failed tasks does not come back at once. The request id travels as
    the `request_id` message header (see apps.outbox) and is bound while the task runs, so its log
    lines carry it.
    """

    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 2
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        token = request_id_set(self._request_id())
        try:
            return super().__call__(*args, **kwargs)
        finally:
            request_id_reset(token)

    def _request_id(self) -> str:
        # A worker exposes custom message headers as request attributes; an eager run keeps them in
        # `headers`, and runs in the very context of the request that enqueued it.
        request = self.request
        from_headers = getattr(request, "request_id", None) or (request.headers or {}).get("request_id")
        return from_headers or request_id_get() or request_id_new()


app = Celery("conduit", task_cls=ConduitTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
