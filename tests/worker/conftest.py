"""
Fixtures of the tests against the real thing: a broker (RabbitMQ and Redis, each test runs on both)
and `celery -A config worker` subprocesses on the test database.

These tests run when CELERY_BROKER_URL is set (the CI's second `make test`). A broker that cannot be
reached then is an error, never a skip. They use transactional tests, so that the worker sees the
rows the test commits.
"""

import email
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from tests.celery_helpers import broker

BACKEND_DIR = Path(__file__).resolve().parents[2] / "backend"
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 20
# Redis hands an unacknowledged message out again after this long: short, so that the message of a
# killed worker comes back within the test (production keeps an hour).
REDIS_VISIBILITY_TIMEOUT_SECONDS = 5


# ------------------------------------------------------------------------------
# Brokers
# ------------------------------------------------------------------------------
def rabbitmq_url() -> str:
    configured = settings.CELERY_BROKER_URL
    return configured if configured.startswith(("amqp", "pyamqp")) else "amqp://guest:guest@127.0.0.1:5672//"


def redis_url() -> str:
    """The configured Redis broker, else database 1 of the cache's server (never the cache's database:
    every test clears it)."""
    if settings.CELERY_BROKER_URL.startswith("redis"):
        return settings.CELERY_BROKER_URL
    if settings.REDIS_URL:
        return urlunsplit(urlsplit(settings.REDIS_URL)._replace(path="/1"))
    return "redis://127.0.0.1:6379/1"


BROKERS = {"rabbitmq": rabbitmq_url, "redis": redis_url}


def broker_reset(url: str) -> None:
    """Empties the test queues, so that messages of earlier tests (rolled back since) cannot interfere."""
    with broker(url):
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=2)  # unreachable: the test errors out
        celery_app.control.purge()
    if url.startswith("redis"):
        import redis

        # Messages a killed worker left unacknowledged in an earlier run.
        redis.Redis.from_url(url).delete("unacked", "unacked_index", "unacked_mutex")


@pytest.fixture(params=sorted(BROKERS))
def broker_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each test runs once on RabbitMQ and once on Redis; the test process publishes to that broker."""
    url = BROKERS[request.param]()
    broker_reset(url)
    with broker(url):
        yield url


# ------------------------------------------------------------------------------
# Workers
# ------------------------------------------------------------------------------
def database_url() -> str:
    """The URL of the test database (pytest-django's test_<name>), for the worker's DATABASE_URL."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        if "memory" in str(database["NAME"]):
            raise AssertionError("a worker cannot share an in-memory SQLite database: give the test database a file")
        return f"sqlite:///{database['NAME']}"
    auth = quote(database["USER"] or "")
    if database["PASSWORD"]:
        auth += ":" + quote(database["PASSWORD"])
    host = database["HOST"] or "localhost"
    return f"postgres://{auth}@{host}:{database['PORT'] or 5432}/{quote(database['NAME'])}"


class Worker:
    """`celery -A config worker` on the test database and the test's broker, one process group per start."""

    _numbers = count(1)

    def __init__(self, *, broker_url: str, directory: Path, concurrency: int, chunk_size: int) -> None:
        self.name = f"test-{os.getpid()}-{next(self._numbers)}@%h"
        self.directory = directory
        self.email_dir = directory / "emails"
        self.logs: list[Path] = []
        self.process: subprocess.Popen[bytes] | None = None
        self.concurrency = concurrency
        self.env = {
            **{key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if key in os.environ},
            "DJANGO_SETTINGS_MODULE": "config.settings.base",  # production settings, test values
            "DJANGO_READ_DOT_ENV": "false",
            "DJANGO_SECRET_KEY": "worker-test-" + "k" * 60,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_QUEUE_PREFIX": settings.TASK_QUEUE_PREFIX,
            "CELERY_BROKER_VISIBILITY_TIMEOUT": str(REDIS_VISIBILITY_TIMEOUT_SECONDS),
            "NOTIFICATIONS_FANOUT_CHUNK_SIZE": str(chunk_size),
            # One file per SMTP-like connection: the test reads back every e-mail the worker sent.
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(self.email_dir),
            "CELERY_SKIP_CHECKS": "1",
        }

    def start(self) -> "Worker":
        log = self.directory / f"worker-{len(self.logs) + 1}.log"
        self.logs.append(log)
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--loglevel", "INFO", "--pool", "prefork", "--concurrency", str(self.concurrency),
            "--hostname", self.name, "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command, cwd=BACKEND_DIR, env=self.env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited with {self.process.returncode}:\n{log.read_text()}")
            if " ready." in log.read_text():
                return self
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"the worker was not ready after {READY_TIMEOUT_SECONDS} s:\n{log.read_text()}")

    def kill(self) -> None:
        """SIGKILL to the main process and its pool processes at once: no cleanup, no acknowledgement."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self) -> str:
        return "\n".join(log.read_text(errors="replace") for log in self.logs)

    def count(self, task: str, event: str) -> int:
        """How many times the worker logged `event` ("received", "succeeded"...) for the task named `task`."""
        return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] {event}", self.log_text()))

    def emails(self) -> list[email.message.Message]:
        """Every e-mail the worker sent (the file backend's output)."""
        if not self.email_dir.exists():
            return []
        separator = b"\n" + b"-" * 79 + b"\n"
        messages = []
        for path in sorted(self.email_dir.iterdir()):
            for raw in path.read_bytes().split(separator):
                if raw.strip():
                    messages.append(email.message_from_bytes(raw))
        return messages


@pytest.fixture
def start_worker(transactional_db: None, broker_url: str, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Starts workers (concurrency, chunk_size) that are stopped at the end of the test."""
    workers: list[Worker] = []

    def start(*, concurrency: int = 2, chunk_size: int = 50) -> Worker:
        worker = Worker(broker_url=broker_url, directory=tmp_path, concurrency=concurrency, chunk_size=chunk_size)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


# ------------------------------------------------------------------------------
# Waiting and counting
# ------------------------------------------------------------------------------
def wait_until(condition: Callable[[], bool], *, worker: Worker, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}; worker log:\n{worker.log_text()[-6000:]}")


def emails_by_id(worker: Worker) -> Counter[str]:
    """How many times each e-mail (by Message-ID, one per stored e-mail) was sent."""
    return Counter(message["Message-ID"] for message in worker.emails())
