"""
End to end against a real broker (RabbitMQ and Redis) and a real `celery worker`: fan-out to every
follower exactly once, a worker killed by SIGKILL in the middle of a fan-out, a broker outage during
writes. See docs/tasks.md, "What the tests prove".
"""

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any, cast

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from apps.articles.models import Article
from apps.feeds.models import PendingFanout
from apps.feeds.timelines import timeline_read, timelines_enabled
from apps.notifications.models import Notification, NotificationKind, OutgoingEmail
from apps.outbox.models import OutboxMessage
from apps.outbox.selectors import outbox_backlog
from apps.outbox.services import reset_broker_breaker
from apps.profiles.models import Follow
from apps.users.models import User
from tests.celery_helpers import broker, dead_broker_url
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.helpers import api_url
from tests.worker.conftest import emails_by_id, wait_until

pytestmark = [
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL,
        reason="set CELERY_BROKER_URL to run the tests against real brokers and a real worker",
    ),
    pytest.mark.django_db(transaction=True),
]

PUBLISHED = NotificationKind.ARTICLE_PUBLISHED
FANOUT = "notifications.article_published_fanout"
CHUNK = "notifications.article_published_chunk"


def author_with_followers(count: int, *, opted_in: int = 0) -> tuple[User, list[User]]:
    """An author followed by `count` users, the first `opted_in` of whom want e-mails."""
    author = cast(User, UserFactory())
    run = uuid.uuid4().hex[:8]
    followers = User.objects.bulk_create(
        User(username=f"fan{index}-{run}", email=f"fan{index}-{run}@example.com", email_notifications=index < opted_in)
        for index in range(count)
    )
    Follow.objects.bulk_create(Follow(follower=follower, followee=author) for follower in followers)
    return author, sorted(followers, key=lambda user: user.pk)


def publish(author: User, *, request_id: str | None = None) -> str:
    payload = {"article": {"title": f"News {uuid.uuid4().hex[:6]}", "description": "d", "body": "b", "tagList": []}}
    headers: dict[str, Any] = {"HTTP_X_REQUEST_ID": request_id} if request_id else {}
    response = client_for(author).post(api_url("articles:list"), payload, **headers)
    assert response.status_code == 201, response.content
    return response.json()["article"]["slug"]


def published_notifications() -> int:
    return Notification.objects.filter(kind=PUBLISHED).count()


def assert_every_follower_notified_once(followers: list[User]) -> None:
    recipients = Counter(Notification.objects.filter(kind=PUBLISHED).values_list("recipient_id", flat=True))
    assert recipients == Counter(follower.pk for follower in followers)


def assert_emails_sent_once(worker, expected_addresses: list[str]) -> None:
    # A mail goes out before its row is marked sent (same transaction, committed just after), so the
    # last one's mark may still be in flight when its file is already on disk.
    wait_until(
        lambda: not OutgoingEmail.objects.filter(sent_at__isnull=True).exists(),
        worker=worker,
        timeout=10,
        what="every e-mail marked sent",
    )
    sent = emails_by_id(worker)
    assert set(sent.values()) == {1}, f"an e-mail went out twice: {sent.most_common(3)}"
    assert sorted(message["To"] for message in worker.emails()) == sorted(expected_addresses)


# ------------------------------------------------------------------------------
# A publication reaches every follower exactly once
# ------------------------------------------------------------------------------
def test_publishing_notifies_every_follower_exactly_once(start_worker):
    author, followers = author_with_followers(300, opted_in=30)
    worker = start_worker(chunk_size=50)

    publish(author, request_id="req-fanout-1")

    wait_until(
        lambda: published_notifications() == 300 and len(worker.emails()) == 30,
        worker=worker,
        what="300 notifications and 30 e-mails",
    )
    assert_every_follower_notified_once(followers)
    assert_emails_sent_once(worker, [follower.email for follower in followers[:30]])
    assert worker.count(FANOUT, "succeeded") == 1
    assert worker.count(CHUNK, "succeeded") == 6
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    # The worker's log lines (JSON, as in production) carry the id of the request that published the article.
    assert '"request_id": "req-fanout-1"' in worker.log_text()


# ------------------------------------------------------------------------------
# A worker killed in the middle of a fan-out: the rest is redelivered and finished, nothing doubled
# ------------------------------------------------------------------------------
@contextmanager
def row_locked(table: str, pk: int) -> Iterator[None]:
    """Holds `SELECT ... FOR UPDATE` on one row from another connection until the block ends."""
    database = connection.settings_dict
    with psycopg.connect(
        dbname=database["NAME"],
        user=database["USER"],
        password=database["PASSWORD"] or None,
        host=database["HOST"] or None,
        port=database["PORT"] or None,
    ) as lock:
        lock.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [pk])
        try:
            yield
        finally:
            lock.rollback()


WAITING_BACKENDS = "FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"


def backends_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {WAITING_BACKENDS}")
        return cursor.fetchone()[0]


def terminate_waiting_backends() -> None:
    """
    Ends the killed worker's database session. PostgreSQL notices a vanished client only when it next
    talks to it, so the session would otherwise finish (and commit) the chunk once the lock is freed;
    a crashed machine's session is aborted instead. Either way the redelivered chunk is harmless:
    ending it makes the redelivery do the chunk's work, which is what this test is about.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_terminate_backend(pid) {WAITING_BACKENDS}")


def test_a_worker_killed_mid_fan_out_is_redelivered_and_nothing_doubles(start_worker):
    if connection.vendor != "postgresql":
        pytest.skip("stopping the worker mid-task relies on a PostgreSQL row lock: set DATABASE_URL to PostgreSQL")
    author, followers = author_with_followers(300, opted_in=30)
    worker = start_worker(chunk_size=50, concurrency=1)
    # The third chunk's insert will wait for this lock (its follower row is locked): the worker is
    # stopped while it holds that chunk's message, unacknowledged, and three chunks are still queued.
    blocked_follower = followers[125]

    with row_locked(User._meta.db_table, blocked_follower.pk):
        publish(author)
        wait_until(lambda: backends_waiting_for_a_lock() > 0, worker=worker, what="a chunk waiting for the lock")
        worker.kill()
        terminate_waiting_backends()
        notified_before_kill = published_notifications()

    assert 0 < notified_before_kill < 300
    time.sleep(1)
    assert published_notifications() < 300  # no worker: the rest waits in the broker

    worker.start()  # the same worker, restarted
    # RabbitMQ requeues the killed worker's unacknowledged message at once; Redis after its visibility timeout.
    wait_until(
        lambda: published_notifications() == 300 and len(worker.emails()) == 30,
        worker=worker,
        timeout=90,
        what="the fan-out to finish after the restart",
    )
    assert_every_follower_notified_once(followers)
    assert_emails_sent_once(worker, [follower.email for follower in followers[:30]])
    # The killed chunk was delivered twice: once to the killed worker, once after the restart.
    assert worker.count(CHUNK, "received") == 7
    assert worker.count(CHUNK, "succeeded") == 6
    assert worker.count(FANOUT, "succeeded") == 1


# ------------------------------------------------------------------------------
# A broker outage during writes: the writes succeed, the work waits in the outbox, then runs once
# ------------------------------------------------------------------------------
def test_writes_during_a_broker_outage_succeed_and_their_tasks_run_once_afterwards(start_worker, broker_url):
    worker = start_worker()
    author, followers = author_with_followers(20, opted_in=10)
    User.objects.filter(pk=author.pk).update(email_notifications=True)
    reader = UserFactory()

    with broker(dead_broker_url(like=broker_url)):
        started = time.monotonic()
        response = client_for(reader).post(api_url("users:register"), {"user": {
            "username": "newcomer", "email": "newcomer@example.com", "password": "password123",
        }})  # fmt: skip
        assert response.status_code == 201
        slug = publish(author)
        comment = client_for(reader).post(api_url("comments:list", slug=slug), {"comment": {"body": "First"}})
        assert comment.status_code == 201
        assert client_for(reader).post(api_url("articles:favorite", slug=slug)).status_code == 200
        assert time.monotonic() - started < 5  # no request waited for the broker

        backlog = outbox_backlog()
        assert backlog["pending"] == 5  # welcome e-mail, fan-out, timelines' fan-out, comment, favorite
        status = tasks_status()
        assert status["outbox"]["pending"] == 5
        assert "OperationalError" in status["broker_error"]
        time.sleep(1)
        assert not Notification.objects.exists()  # nothing reached the worker

    # The broker is back: the relay publishes the backlog. (Only those rows: the worker may already be
    # running the fan-out, whose chunk row is pending between its commit and its own publish.)
    backlog_ids = list(OutboxMessage.objects.filter(sent_at__isnull=True).values_list("pk", flat=True))
    reset_broker_breaker()
    call_command("relay_outbox", "--once", stdout=StringIO())
    assert not OutboxMessage.objects.filter(pk__in=backlog_ids, sent_at__isnull=True).exists()

    expected_emails = (
        ["newcomer@example.com"]  # welcome
        + [follower.email for follower in followers[:10]]  # the article, to those who opted in
        + [author.email, author.email]  # the comment and the favorite
    )
    wait_until(
        lambda: Notification.objects.count() == 22 and len(worker.emails()) == len(expected_emails),
        worker=worker,
        what="22 notifications and 13 e-mails",
    )
    assert_every_follower_notified_once(followers)
    assert Counter(Notification.objects.filter(recipient=author).values_list("kind", flat=True)) == {
        NotificationKind.ARTICLE_COMMENTED: 1,
        NotificationKind.ARTICLE_FAVORITED: 1,
    }
    assert_emails_sent_once(worker, expected_emails)
    for task in (FANOUT, "notifications.welcome_email", "notifications.article_commented"):
        assert worker.count(task, "succeeded") == 1, task
    wait_until(lambda: worker.count("feeds.timelines_article_published", "succeeded") == 1, worker=worker)
    assert worker.count("notifications.article_favorited", "succeeded") == 1

    # Relaying again publishes nothing twice.
    out = StringIO()
    call_command("relay_outbox", "--once", stdout=out)
    assert out.getvalue() == ""
    time.sleep(1)
    assert worker.count("notifications.welcome_email", "received") == 1
    # The queues have been drained.
    assert set(tasks_status()["queues"].values()) == {0}


def tasks_status() -> dict:
    out = StringIO()
    call_command("tasks_status", "--json", stdout=out)
    return json.loads(out.getvalue())


# ------------------------------------------------------------------------------
# Timelines (apps.feeds): the worker writes a publish into every follower's timeline, once
# ------------------------------------------------------------------------------
@pytest.mark.skipif(not timelines_enabled(), reason="timelines live in Redis: set REDIS_URL")
def test_the_worker_writes_a_publish_into_every_existing_timeline_and_feeds_show_it_throughout(start_worker):
    author, followers = author_with_followers(60)
    readers = followers[:40]  # these have read their feed: they have a timeline; the others have none
    for reader in readers:
        assert client_for(reader).get(api_url("feeds:feed")).status_code == 200
    worker = start_worker()

    slug = publish(author)
    article = Article.objects.get(slug=slug)
    for reader in readers[:5]:  # at once, whether the fan-out has run or not (its pending row)
        assert client_for(reader).get(api_url("feeds:feed")).json()["articles"][0]["slug"] == slug

    def fanned_out() -> bool:
        return not PendingFanout.objects.filter(article=article).exists()

    wait_until(fanned_out, worker=worker, what="the timelines' fan-out")
    for reader in readers:
        timeline = timeline_read(reader.pk)
        assert timeline is not None and [row.article_id for row in timeline.rows].count(article.pk) == 1
    assert all(not timeline_read(user.pk).exists for user in followers[40:])  # type: ignore[union-attr]
    assert worker.count("feeds.timelines_article_published", "succeeded") == 1
