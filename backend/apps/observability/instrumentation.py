"""
Where the metrics are measured: every SQL statement (a connection execute wrapper), every cache
operation (apps.caching.backends), every Celery task (Celery's signals). The HTTP side is
apps.observability.middleware.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import signals as celery_signals
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from apps.observability import metrics

_task_started: dict[str, float] = {}


def install() -> None:
    connection_created.connect(_instrument_connection, dispatch_uid="observability.db")
    celery_signals.task_prerun.connect(_task_prerun, dispatch_uid="observability.task_prerun", weak=False)
    celery_signals.task_postrun.connect(_task_postrun, dispatch_uid="observability.task_postrun", weak=False)
    celery_signals.task_retry.connect(_task_retry, dispatch_uid="observability.task_retry", weak=False)


# ------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------
def _instrument_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    # Fired on every (re)connect of the same wrapper object: install the wrapper once.
    if not any(isinstance(wrapper, QueryTimer) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(QueryTimer(connection.alias))


class QueryTimer:
    """An execute wrapper (Django's hook around every statement) that records its duration."""

    def __init__(self, alias: str) -> None:
        self.histogram = metrics.db_query_duration.labels(alias=alias)
        self.errors = metrics.db_query_errors.labels(alias=alias)

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        except Exception:
            self.errors.inc()
            raise
        finally:
            self.histogram.observe(time.perf_counter() - started)


# ------------------------------------------------------------------------------
# Cache
# ------------------------------------------------------------------------------
@contextmanager
def cache_operation_timer(operation: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    except Exception:
        metrics.cache_operation_errors.labels(operation=operation).inc()
        raise
    finally:
        metrics.cache_operation_duration.labels(operation=operation).observe(time.perf_counter() - started)


# ------------------------------------------------------------------------------
# Celery
# ------------------------------------------------------------------------------
def _task_prerun(task_id: str, task: Any, **kwargs: Any) -> None:
    _task_started[task_id] = time.perf_counter()


def _task_postrun(task_id: str, task: Any, state: str | None = None, **kwargs: Any) -> None:
    started = _task_started.pop(task_id, None)
    if started is not None:
        metrics.celery_task_duration.labels(task=task.name).observe(time.perf_counter() - started)
    if state == "SUCCESS":
        metrics.celery_tasks.labels(task=task.name, outcome="succeeded").inc()
    elif state == "FAILURE":
        metrics.celery_tasks.labels(task=task.name, outcome="failed").inc()
    # RETRY is counted by _task_retry; other states (REVOKED, IGNORED) are not outcomes of a run.


def _task_retry(sender: Any = None, **kwargs: Any) -> None:
    metrics.celery_tasks.labels(task=getattr(sender, "name", "unknown"), outcome="retried").inc()
