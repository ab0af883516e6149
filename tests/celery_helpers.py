"""
Helpers for the tests of background work: switching the Celery app of the test process between
eager mode, a real broker and a dead one, and fixtures built on that.

The suite follows CELERY_BROKER_URL like everything else; these let a test pin what it needs.
"""

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from celery.signals import before_task_publish
from django.utils import timezone

from apps.outbox.models import OutboxMessage
from apps.outbox.services import reset_broker_breaker
from config.celery import app as celery_app

BROKER_URL_VARIABLE = "CELERY_BROKER_URL"


def unused_port() -> int:
    """A local TCP port nothing listens on (connections to it are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dead_broker_url(like: str = "amqp://") -> str:
    """A broker URL of the same kind as `like` on a port where no broker runs."""
    if like.startswith("redis"):
        return f"redis://127.0.0.1:{unused_port()}/1"
    return f"amqp://guest:guest@127.0.0.1:{unused_port()}//"


def transport_options(url: str) -> dict[str, object]:
    """What config.settings.base sets for this kind of broker."""
    return {"visibility_timeout": 3600} if url.startswith("redis") else {"confirm_publish": True}


def use_broker(url: str | None) -> None:
    """Points the test process's Celery app at `url`, or at no broker (eager mode) when None."""
    conf = celery_app.conf
    conf.task_always_eager = url is None
    if url is not None:
        conf.broker_url = url
        conf.broker_transport_options = transport_options(url)
        # Celery reads this variable before its configuration (celery.app.utils.Settings.broker_url).
        if BROKER_URL_VARIABLE in os.environ:
            os.environ[BROKER_URL_VARIABLE] = url
    # Forget the pools of the previous broker, as Celery itself does after a fork.
    celery_app._after_fork()
    reset_broker_breaker()


@contextmanager
def broker(url: str | None) -> Iterator[None]:
    """`use_broker(url)` for the duration of the block, then back to the previous configuration."""
    conf = celery_app.conf
    previous = (conf.broker_url, conf.broker_transport_options, conf.task_always_eager)
    previous_variable = os.environ.get(BROKER_URL_VARIABLE)
    use_broker(url)
    try:
        yield
    finally:
        if previous_variable is not None:
            os.environ[BROKER_URL_VARIABLE] = previous_variable
        conf.broker_url, conf.broker_transport_options, _ = previous
        use_broker(None if previous[2] else previous[0])


def nudge_grace_over() -> None:
    """
    Every pending row whose nudge has not run (its transaction never committed, in a test) is due
    for the relay, as it is NUDGE_GRACE after its commit in production.
    """
    now = timezone.now()
    OutboxMessage.objects.filter(sent_at__isnull=True, attempts=0, available_at__gt=now).update(available_at=now)


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks run in-process at publish time, even when the suite runs against a real broker."""
    with broker(None):
        yield


@pytest.fixture
def dead_broker() -> Iterator[str]:
    """The test process publishes to a broker that refuses connections; yields its URL."""
    url = dead_broker_url()
    with broker(url):
        yield url


@pytest.fixture
def memory_broker() -> Iterator[list[dict[str, Any]]]:
    """
    The test process publishes to an in-memory broker, as a web process does to RabbitMQ or Redis (no
    task runs); yields the headers of every message published, in order.
    """
    published: list[dict[str, Any]] = []

    def record(headers: dict[str, Any], **_: Any) -> None:
        published.append(headers)

    before_task_publish.connect(record)
    try:
        with broker("memory://"):
            yield published
    finally:
        before_task_publish.disconnect(record)
