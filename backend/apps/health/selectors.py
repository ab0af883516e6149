"""
Readiness checks of the services an instance needs: the database, the cache and the broker.

Each check answers within a short timeout and never raises. A service that the embedded default
replaces with an in-process stand-in (the local-memory cache, eager Celery) is always "embedded".
"""

import logging
import socket
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from config.celery import app as celery_app

logger = logging.getLogger(__name__)

OK = "ok"
EMBEDDED = "embedded"
FAILING = "failing"
# What a readiness probe may wait for the cache and the broker; the database has its own connect timeout.
CHECK_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class Readiness:
    parts: dict[str, str]

    @property
    def ready(self) -> bool:
        return FAILING not in self.parts.values()

    @property
    def failing(self) -> list[str]:
        return [name for name, state in self.parts.items() if state == FAILING]


def readiness_get() -> Readiness:
    """The state of each service: ok, embedded or failing."""
    return Readiness(parts={"database": database_state(), "cache": cache_state(), "broker": broker_state()})


def database_state() -> str:
    # The request thread's own persistent connection: a probe costs one `SELECT 1`, not a new connection.
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        logger.warning("readiness: database unreachable (%s: %s)", type(exc).__name__, exc)
        return FAILING
    return OK


def cache_state() -> str:
    if not settings.REDIS_URL:
        return EMBEDDED
    # Straight to the backend, not through apps.caching.generations: its breaker would hide a recovery for a while.
    # The backend's socket timeouts (0.25 s) bound the wait.
    try:
        cache.get("health:probe")
    except Exception as exc:
        logger.warning("readiness: cache unreachable (%s: %s)", type(exc).__name__, exc)
        return FAILING
    return OK


def broker_state() -> str:
    if celery_app.conf.task_always_eager:
        return EMBEDDED
    # A TCP connect to the broker, not a protocol handshake: an AMQP login every second per instance
    # would cost the broker more than the probe is worth.
    connection = celery_app.connection_for_write()
    try:
        host, port = connection.hostname or "localhost", connection.port or connection.transport.default_port
        with socket.create_connection((host, port), timeout=CHECK_TIMEOUT_SECONDS):
            pass
    except Exception as exc:
        logger.warning("readiness: broker unreachable (%s: %s)", type(exc).__name__, exc)
        return FAILING
    finally:
        connection.release()
    return OK
