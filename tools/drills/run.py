"""
make drills / make drills-short: break parts of the running cluster (make cluster) on purpose, under a
light load, and check that nothing the clients were told succeeded is lost.

    python tools/drills/run.py [--short] [--only app_kill,cache_down,...] [--write-docs]

Each drill, its fault and what it asserts:

- `app_kill`: SIGKILL of one app instance (then restarted). No GET failed (nginx retried them on
  another instance); every write answered 201 is in the database, none twice (the client retries a
  502 with the same Idempotency-Key).
- `app_restart`: a rolling restart, as a deploy does it: each instance in turn is taken out of the
  balancer, stopped with SIGTERM (graceful shutdown) while a slow request is in flight on it, started,
  and put back. No request fails at all, writes included, and the in-flight one completes.
- `cache_down`: the cache's redis-server stopped for 20 s (short: 5 s). No 5xx; once it is back, the
  cache serves hits again.
- `replica_down`: the streaming replica stopped, then started. No 5xx; reads went to the primary
  meanwhile and go to the replica again after.
- `worker_kill`: the Celery worker SIGKILLed with its pool while it fans out an article to 5,000
  followers (short: 2,000). After a restart every follower has exactly one notification.
- `broker_down`: the broker's redis-server stopped while an author with followers publishes. Every
  publish answered 201; once the broker is back every expected notification exists exactly once.
- `timelines_flush`: the cache's Redis flushed (FLUSHDB: every feed timeline lost) while a followed
  author publishes and a reader reads their feed. No 5xx; every feed page holds every article
  acknowledged a second before it was asked for (the replica's lag); the reader's timeline is
  rebuilt; and the feed ends equal to the database's.

The load: a few reader threads (article list, an article, its comments, a profile, tags) and one
writer (publishes and comments with an Idempotency-Key, retrying a 502 or a dropped connection with
the same key, as a client should). Each drill exits non-zero when its assertion fails. The database is
checked directly (Django's ORM on the primary, with the cluster's settings).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import re
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from deploy.cluster import REDIS_PARTS, STATE, Cluster, http_get  # noqa: E402
from tools.reliability_doc import reliability_doc_write  # noqa: E402

API = "/api/v1"
TIMEOUT = 15

cluster = Cluster()
BASE = cluster.config.url


# ------------------------------------------------------------------------------
# Django, for checking the database (the primary) directly
# ------------------------------------------------------------------------------
def _django_setup() -> None:
    env = cluster.app_env(replica=False)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "backend"))
    import django

    django.setup()


# ------------------------------------------------------------------------------
# The load
# ------------------------------------------------------------------------------
@dataclass
class Tally:
    requests: Counter[str] = field(default_factory=Counter)  # "GET 200", "POST 502", "GET error"...
    failures: list[str] = field(default_factory=list)  # unexpected answers, with detail
    written: list[str] = field(default_factory=list)  # slugs of the articles answered 201
    comments: list[int] = field(default_factory=list)  # ids of the comments answered 201
    retried_writes: int = 0
    retried_reads: int = 0  # GETs sent again once after their reused keep-alive connection was dropped
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, method: str, status: int | str, detail: str = "", expected: bool = True) -> None:
        with self.lock:
            self.requests[f"{method} {status}"] += 1
            if not expected:
                self.failures.append(f"{method} {status} {detail}"[:300])

    def count(self, method: str | None = None, predicate: Any = None) -> int:
        total = 0
        for key, number in self.requests.items():
            verb, status = key.split(" ", 1)
            if (method is None or verb == method) and (predicate is None or predicate(status)):
                total += number
        return total

    @property
    def server_errors(self) -> int:
        return self.count(predicate=lambda status: status == "error" or status.startswith("5"))

    @property
    def failed_gets(self) -> int:
        return self.count("GET", lambda status: not status.startswith(("2", "3")))


def sign_up(prefix: str) -> tuple[str, str]:
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    body = {"user": {"username": name, "email": f"{name}@example.com", "password": "drill-password-1"}}
    response = requests.post(
        f"{BASE}{API}/users", json=body, timeout=TIMEOUT, headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    response.raise_for_status()
    return name, response.json()["user"]["token"]


class Load:
    """
    Readers and one writer, until stop(). A read is sent again only when its reused keep-alive
    connection was dropped under it, once, as a browser does (counted in `retried_reads`).
    """

    def __init__(self, *, readers: int = 3, writer_token: str | None = None, pause: float = 0.05) -> None:
        self.tally = Tally()
        self.stopping = threading.Event()
        self.pause = pause
        self.writer_token = writer_token
        page = requests.get(f"{BASE}{API}/articles?limit=30", timeout=TIMEOUT).json()["articles"]
        self.slugs = [article["slug"] for article in page]
        self.usernames = sorted({article["author"]["username"] for article in page})
        self.threads = [threading.Thread(target=self._reader, daemon=True) for _ in range(readers)]
        if writer_token:
            self.threads.append(threading.Thread(target=self._writer, daemon=True))

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> Tally:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=TIMEOUT + 5)
        return self.tally

    def _reader(self) -> None:
        session = requests.Session()
        while not self.stopping.is_set():
            slug, username = random.choice(self.slugs), random.choice(self.usernames)
            path = random.choice(
                [
                    "/articles?limit=10",
                    f"/articles/{slug}",
                    f"/articles/{slug}/comments",
                    f"/profiles/{username}",
                    "/tags",
                ]
            )
            try:
                try:
                    response = session.get(f"{BASE}{API}{path}", timeout=TIMEOUT)
                except requests.ConnectionError as error:
                    # A keep-alive connection that nginx's graceful reload closed as the request went
                    # out: a user agent may send an idempotent request again (RFC 9112 9.3.1), browsers
                    # do, once, on a new connection. Counted apart; a second failure is a failure.
                    if not _dropped_connection(error):
                        raise
                    with self.tally.lock:
                        self.tally.retried_reads += 1
                    session = requests.Session()
                    response = session.get(f"{BASE}{API}{path}", timeout=TIMEOUT)
                self.tally.record("GET", response.status_code, f"{path} {response.text[:120]}", response.ok)
            except requests.RequestException as error:
                self.tally.record("GET", "error", f"{path} {error}", expected=False)
            time.sleep(self.pause)

    def _writer(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {self.writer_token}"
        number = 0
        while not self.stopping.is_set():
            number += 1
            body = {
                "article": {
                    "title": f"Drill {uuid.uuid4().hex[:12]}",
                    "description": "written during a fault drill",
                    "body": "Every acknowledged write must survive.",
                    "tagList": ["drill"],
                }
            }
            answer = write(self.tally, session, "/articles", body)
            if answer is not None:
                self.tally.written.append(answer["article"]["slug"])
                path = f"/articles/{answer['article']['slug']}/comments"
                comment = write(self.tally, session, path, {"comment": {"body": f"note {number}"}})
                if comment is not None:
                    self.tally.comments.append(comment["comment"]["id"])
            # About 100 writes a minute: well under the per-user write limit (THROTTLE_RATE_WRITES_USER).
            time.sleep(1.0)


def _dropped_connection(error: requests.ConnectionError) -> bool:
    """Whether the connection was closed under the request (not refused, not timed out)."""
    text = str(error)
    return "RemoteDisconnected" in text or "ConnectionResetError" in text


def write(tally: Tally, session: requests.Session, path: str, body: dict[str, Any]) -> Any:
    """POST with an Idempotency-Key; a 502/503 or a dropped connection is retried with the same key."""
    key = str(uuid.uuid4())
    for attempt in range(4):
        if attempt:
            with tally.lock:
                tally.retried_writes += 1
            time.sleep(0.5 * attempt)
        try:
            response = session.post(f"{BASE}{API}{path}", json=body, headers={"Idempotency-Key": key}, timeout=TIMEOUT)
        except requests.RequestException as error:
            tally.record("POST", "error", f"{path} {error} (retried)")
            continue
        if response.status_code in (502, 503, 504):
            tally.record("POST", response.status_code, f"{path} (retried)")
            continue
        tally.record("POST", response.status_code, f"{path} {response.text[:160]}", response.status_code == 201)
        return response.json() if response.status_code == 201 else None
    tally.record("POST", "gave-up", path, expected=False)
    return None


# ------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------
class DrillFailed(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise DrillFailed(message)


def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.2) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(interval)
    raise DrillFailed(f"{what}: not within {timeout:.0f} s")


def metric(name: str, labels: str) -> float:
    """A sample summed over the instances (the internal /metrics), 0 when absent."""
    status, body = http_get(f"http://{cluster.config.host}:{cluster.config.internal_port}/metrics", timeout=5)
    if status != 200:
        return float("nan")
    pattern = re.compile(rf"^{re.escape(name)}\{{{re.escape(labels)}\}} ([0-9.e+]+)$", re.M)
    match = pattern.search(body.decode())
    return float(match.group(1)) if match else 0.0


def verify_writes(tally: Tally) -> str:
    from apps.articles.models import Article
    from apps.comments.models import Comment

    slugs, comments = set(tally.written), set(tally.comments)
    found = set(Article.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    check(found == slugs, f"{len(slugs - found)} article(s) answered 201 are missing: {sorted(slugs - found)[:5]}")
    found_comments = set(Comment.objects.filter(id__in=comments).values_list("id", flat=True))
    check(found_comments == comments, f"{len(comments - found_comments)} comment(s) answered 201 are missing")
    return f"{len(slugs)} articles and {len(comments)} comments answered 201, all in the database"


def make_followers(author: str, count: int) -> None:
    """`count` users following `author`, straight into the database (no password hashing)."""
    from apps.profiles.models import Follow
    from apps.users.models import User

    tag = uuid.uuid4().hex[:8]
    users = User.objects.bulk_create(
        [User(username=f"f{tag}{n}", email=f"f{tag}{n}@example.com", password="!") for n in range(count)],
        batch_size=1000,
    )
    followee = User.objects.get(username=author)
    Follow.objects.bulk_create([Follow(follower=user, followee=followee) for user in users], batch_size=1000)


def publish(token: str, title: str) -> str:
    body = {"article": {"title": title, "description": "drill", "body": "fan-out", "tagList": ["drill"]}}
    headers = {"Authorization": f"Token {token}", "Idempotency-Key": str(uuid.uuid4())}
    response = requests.post(f"{BASE}{API}/articles", json=body, headers=headers, timeout=TIMEOUT)
    check(response.status_code == 201, f"publish answered {response.status_code}: {response.text[:200]}")
    return response.json()["article"]["slug"]


def published_notifications(slug: str) -> tuple[int, int]:
    """(notifications, distinct recipients) of the article's publication."""
    from django.db.models import Count

    from apps.notifications.models import Notification, NotificationKind

    counts = Notification.objects.filter(article__slug=slug, kind=NotificationKind.ARTICLE_PUBLISHED).aggregate(
        total=Count("id"), recipients=Count("recipient", distinct=True)
    )
    return counts["total"], counts["recipients"]


def summary(tally: Tally) -> str:
    gets, posts = tally.count("GET"), tally.count("POST")
    return (
        f"{gets} GETs ({tally.failed_gets} failed), {posts} POSTs, {tally.server_errors} 5xx/no answer"
        + (f", {tally.retried_writes} write(s) retried with their key" if tally.retried_writes else "")
        + (f", {tally.retried_reads} read(s) sent again on a new connection" if tally.retried_reads else "")
    )


# ------------------------------------------------------------------------------
# The drills
# ------------------------------------------------------------------------------
def drill_app_kill(short: bool) -> list[str]:
    _, token = sign_up("drill")
    victim = "app2" if cluster.config.apps >= 2 else "app1"
    down = 4 if short else 15
    with Load(writer_token=token) as load:
        time.sleep(1.5)
        cluster.kill(victim)
        time.sleep(down)
        cluster.start(victim)
        cluster.wait_ready(victim, timeout=60)
        time.sleep(2)
    tally = load.tally
    check(tally.failed_gets == 0, f"{tally.failed_gets} GET(s) failed: {tally.failures[:5]}")
    check(not tally.failures, f"unexpected answers: {tally.failures[:5]}")
    written = verify_writes(tally)
    from apps.articles.models import Article

    titles = Counter(Article.objects.filter(slug__in=tally.written).values_list("title", flat=True))
    check(all(number == 1 for number in titles.values()), "an article was created twice")
    return [f"{victim} SIGKILLed, down {down} s then restarted", summary(tally), written]


def drill_app_restart(short: bool) -> list[str]:
    """A rolling restart: SIGTERM to each instance in turn (a deploy). Graceful: nothing fails at all."""
    _, token = sign_up("drill")
    names = [f"app{number}" for number in range(1, cluster.config.apps + 1)]
    in_flight: list[int | str] = []
    with Load(writer_token=token) as load:
        time.sleep(1.5)
        for name in names:
            cluster.drain(name)  # out of the balancer first, as a deploy deregisters a target
            # A slow request (a sign-up hashes a password) straight to the instance, in flight at SIGTERM.
            port = cluster.parts()[name].port
            slow = threading.Thread(target=_sign_up_direct, args=(port, in_flight))
            slow.start()
            time.sleep(0.1)
            started = time.monotonic()
            cluster.stop(name)  # SIGTERM: in-flight requests finish, then the process exits
            stopped = time.monotonic() - started
            slow.join()
            cluster.start(name)
            cluster.wait_ready(name, timeout=60)
            cluster.drain(name, drained=False)
            time.sleep(0.5 if short else 3)
    tally = load.tally
    check(tally.server_errors == 0, f"{tally.server_errors} 5xx/no answer: {tally.failures[:5]}")
    check(not tally.failures and not tally.retried_writes, f"unexpected answers: {tally.failures[:5]}")
    check(in_flight == [201] * len(names), f"sign-ups in flight at SIGTERM answered {in_flight}")
    return [
        f"each of the {len(names)} instances stopped with SIGTERM (the last one took {stopped:.1f} s) and restarted; "
        f"the sign-up in flight on each at SIGTERM answered {', '.join(map(str, in_flight))}",
        summary(tally),
        verify_writes(tally),
    ]


def _sign_up_direct(port: int, answers: list[int | str]) -> None:
    name = f"slow{uuid.uuid4().hex[:10]}"
    body = {"user": {"username": name, "email": f"{name}@example.com", "password": "drill-password-1"}}
    try:
        response = requests.post(f"http://{cluster.config.host}:{port}{API}/users", json=body, timeout=TIMEOUT)
        answers.append(response.status_code)
    except requests.RequestException as error:
        answers.append(type(error).__name__)


def drill_cache_down(short: bool) -> list[str]:
    import redis

    _, token = sign_up("drill")
    down = 5 if short else 20
    client = redis.Redis(host=cluster.config.host, port=cluster.config.redis_port)
    with Load(writer_token=token) as load:
        time.sleep(1.5)
        cluster.stop("redis-cache")
        time.sleep(down)
        cluster.start("redis-cache")
        cluster.wait_ready("redis-cache", timeout=10)
        # Warm again: the instances' breakers retry the cache 5 s after their last failure.
        hits_before = 0
        with contextlib.suppress(redis.RedisError):
            hits_before = int(client.info("stats")["keyspace_hits"])
        waited = wait_for(
            lambda: int(client.info("stats")["keyspace_hits"]) > hits_before + 20, 30, "cache hits after the restart"
        )
    tally = load.tally
    check(tally.server_errors == 0, f"{tally.server_errors} 5xx/no answer: {tally.failures[:5]}")
    check(not tally.failures, f"unexpected answers: {tally.failures[:5]}")
    keys = client.dbsize()
    return [
        f"cache redis-server stopped for {down} s",
        summary(tally),
        f"cache serving hits again {waited:.1f} s after the restart ({keys} keys)",
        verify_writes(tally),
    ]


def drill_replica_down(short: bool) -> list[str]:
    server = cluster.replica()
    check(server is not None and server.is_running(), "no replica runs")
    assert server is not None
    _, token = sign_up("drill")
    down = 5 if short else 20
    series = "conduit_db_query_duration_seconds_count"
    with Load(writer_token=token) as load:
        time.sleep(2)
        server.stop()
        replica_at_stop = metric(series, 'alias="replica1"')
        primary_at_stop = metric(series, 'alias="default"')
        time.sleep(down)
        replica_while_down = metric(series, 'alias="replica1"')
        primary_while_down = metric(series, 'alias="default"')
        server.start()
        waited = wait_for(
            lambda: metric(series, 'alias="replica1"') > replica_while_down + 10, 30, "reads on the replica again"
        )
    tally = load.tally
    check(tally.server_errors == 0, f"{tally.server_errors} 5xx/no answer: {tally.failures[:5]}")
    check(not tally.failures, f"unexpected answers: {tally.failures[:5]}")
    check(primary_while_down > primary_at_stop, "no query reached the primary while the replica was down")
    return [
        f"replica stopped (pg_ctl stop -m fast) for {down} s, then started",
        summary(tally),
        f"queries while down: {replica_while_down - replica_at_stop:.0f} on the replica, "
        f"{primary_while_down - primary_at_stop:.0f} on the primary; the replica serves reads again "
        f"{waited:.1f} s after its restart",
        verify_writes(tally),
    ]


def drill_worker_kill(short: bool) -> list[str]:
    import redis

    followers = 2000 if short else 5000
    author, token = sign_up("author")
    make_followers(author, followers)
    with Load() as load:
        slug = publish(token, f"Fan-out drill {uuid.uuid4().hex[:8]}")
        # Kill once the fan-out has started and before it has finished.
        wait_for(lambda: published_notifications(slug)[0] > 0, 60, "the fan-out to start", interval=0.02)
        at_kill = published_notifications(slug)[0]
        cluster.kill("worker")
        # Messages the dead worker had taken and not acknowledged (kombu's Redis transport keeps them
        # in the `unacked` hash until the visibility timeout sends them back to their queue).
        broker = redis.Redis(host=cluster.config.host, port=cluster.config.broker_port)
        unacked = broker.hgetall("unacked")
        held = Counter(json.loads(value)[0]["headers"]["task"].rsplit(".", 1)[-1] for value in unacked.values())
        check(at_kill < followers, f"the fan-out ended ({at_kill}) before the kill: nothing to prove")
        time.sleep(1)
        after_kill = published_notifications(slug)[0]
        cluster.start("worker")
        # Chunks not yet published when the worker died are published by the relay; the messages the dead
        # worker held come back after the broker's visibility timeout and run again: wait for both.
        waited = wait_for(
            lambda: published_notifications(slug)[0] >= followers,
            cluster.config.visibility_timeout + 60,
            f"{followers} notifications",
            interval=0.5,
        )
        redelivered = wait_for(
            lambda: (
                not any(broker.hexists("unacked", tag) for tag in unacked)
                and not any(broker.llen(queue) for queue in ("default", "fanout", "email"))
            ),
            cluster.config.visibility_timeout + 60,
            "the held messages' redelivery",
            interval=0.5,
        )
        time.sleep(2)  # the redelivered tasks finish; anything they did twice would show now
    total, recipients = published_notifications(slug)
    check(
        total == followers and recipients == followers, f"{total} notifications for {recipients}/{followers} followers"
    )
    tally = load.tally
    check(tally.server_errors == 0, f"{tally.server_errors} 5xx/no answer: {tally.failures[:5]}")
    return [
        f"worker SIGKILLed (with its pool) at {at_kill}/{followers} notifications ({after_kill} a second later), "
        f"holding {sum(held.values())} unacknowledged message(s) ({', '.join(f'{n} {t}' for t, n in held.items())})",
        f"restarted: all {followers} followers notified {waited:.1f} s later; the held messages redelivered "
        f"{waited + redelivered:.0f} s later (visibility timeout {cluster.config.visibility_timeout} s) and run "
        "again: still exactly one notification per follower",
        summary(tally),
    ]


def drill_broker_down(short: bool) -> list[str]:
    followers = 20
    author, token = sign_up("author")
    make_followers(author, followers)
    down = 5 if short else 20
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    slugs: list[str] = []
    with Load() as load:
        time.sleep(1)
        cluster.stop("redis-broker")
        started = time.monotonic()
        slowest = 0.0
        while time.monotonic() - started < down:
            body = {"article": {"title": f"Broker drill {uuid.uuid4().hex[:8]}", "description": "d", "body": "b"}}
            began = time.monotonic()
            answer = write(load.tally, session, "/articles", body)
            slowest = max(slowest, time.monotonic() - began)
            check(answer is not None, f"a publish failed while the broker was down: {load.tally.failures[-3:]}")
            slugs.append(answer["article"]["slug"])
            time.sleep(0.3)
        cluster.start("redis-broker")
        cluster.wait_ready("redis-broker", timeout=10)
        waited = wait_for(
            lambda: all(published_notifications(slug)[0] >= followers for slug in slugs),
            90,
            "every notification after the broker's return",
            interval=0.5,
        )
        time.sleep(2)
    for slug in slugs:
        total, recipients = published_notifications(slug)
        check(total == followers == recipients, f"{slug}: {total} notifications for {recipients}/{followers}")
    tally = load.tally
    check(tally.server_errors == 0, f"{tally.server_errors} 5xx/no answer: {tally.failures[:5]}")
    return [
        f"broker redis-server stopped for {down} s; {len(slugs)} articles published meanwhile, all 201 "
        f"(slowest {slowest * 1000:.0f} ms)",
        f"every one of the {len(slugs) * followers} notifications delivered exactly once, {waited:.1f} s after "
        "the broker's return",
        summary(tally),
    ]


def drill_timelines_flush(short: bool) -> list[str]:
    import redis

    from apps.feeds.selectors import feed_list
    from apps.users.models import User

    reader, reader_token = sign_up("reader")
    author, author_token = sign_up("author")
    session = requests.Session()
    session.headers["Authorization"] = f"Token {reader_token}"
    followed = session.post(f"{BASE}{API}/profiles/{author}/follow", timeout=TIMEOUT)
    check(followed.status_code == 200, f"follow answered {followed.status_code}")
    publish(author_token, "Before the flush")
    client = redis.Redis(host=cluster.config.host, port=cluster.config.redis_port)
    reader_id = User.objects.get(username=reader).pk
    pages, missing, flushed_at = 0, [], 0.0
    seconds = 6 if short else 20
    with Load(writer_token=author_token) as load:  # the writer publishes as the followed author
        started = time.monotonic()
        snapshots: list[tuple[float, list[str]]] = []  # (when, the slugs acknowledged by then)
        while time.monotonic() - started < seconds:
            with load.tally.lock:
                snapshots.append((time.monotonic(), list(load.tally.written[-10:])))
            # Acknowledged a second before: other readers may read a streaming replica, a few ms behind.
            acknowledged = next((slugs for when, slugs in reversed(snapshots) if when < time.monotonic() - 1), [])
            response = session.get(f"{BASE}{API}/articles/feed?limit=50", timeout=TIMEOUT)
            load.tally.record("GET", response.status_code, f"feed {response.text[:120]}", response.ok)
            if response.ok:
                pages += 1
                shown = {article["slug"] for article in response.json()["articles"]}
                missing += [slug for slug in acknowledged if slug not in shown]
            if not flushed_at and time.monotonic() - started > seconds / 3:
                client.flushdb()  # every timeline, cached entry and stored response at once
                flushed_at = time.monotonic()
            time.sleep(0.1)
    tally = load.tally
    check(tally.server_errors == 0, f"{tally.server_errors} 5xx/no answer: {tally.failures[:5]}")
    check(not tally.failures, f"unexpected answers: {tally.failures[:5]}")
    check(not missing, f"{len(missing)} acknowledged article(s) missing from a feed page: {missing[:5]}")
    rebuilt = wait_for(lambda: bool(client.keys(f"*feed:timeline:{reader_id}")), 10, "the reader's timeline rebuilt")
    final = session.get(f"{BASE}{API}/articles/feed?limit=100", timeout=TIMEOUT).json()
    expected = [article.slug for article in feed_list(user=User.objects.get(pk=reader_id))[:100]]
    check([article["slug"] for article in final["articles"]] == expected, "the feed differs from the database's")
    return [
        f"cache Redis flushed {flushed_at - started:.1f} s into {seconds} s of publishing and reading",
        f"{pages} feed pages, each with every article acknowledged 1 s before it was asked for",
        f"the reader's timeline present again ({rebuilt:.1f} s after the checks); the feed equals the database's",
        summary(tally),
        verify_writes(tally),
    ]


DRILLS = {
    "app_kill": drill_app_kill,
    "app_restart": drill_app_restart,
    "cache_down": drill_cache_down,
    "replica_down": drill_replica_down,
    "worker_kill": drill_worker_kill,
    "broker_down": drill_broker_down,
    "timelines_flush": drill_timelines_flush,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="a few seconds per fault (CI)")
    parser.add_argument("--only", default="", help="comma-separated drill names")
    parser.add_argument("--write-docs", action="store_true", help="write the results into docs/reliability.md")
    args = parser.parse_args()
    if http_get(f"{BASE}/readyz")[0] != 200:
        print(f"the cluster does not answer on {BASE}/readyz: run `make cluster` first", file=sys.stderr)
        return 2
    _django_setup()
    names = [name for name in args.only.split(",") if name] or list(DRILLS)
    results: list[tuple[str, bool, float, list[str]]] = []
    started_all = time.monotonic()
    for name in names:
        print(f"-> {name}", flush=True)
        started = time.monotonic()
        try:
            lines = DRILLS[name](args.short)
            ok = True
        except DrillFailed as error:
            lines, ok = [f"FAILED: {error}"], False
        finally:
            # Whatever happened, leave the cluster whole for the next drill.
            for part in (
                *REDIS_PARTS,
                "worker",
                *(f"app{n}" for n in range(1, cluster.config.apps + 1)),
            ):
                if not cluster.pid(part):
                    cluster.start(part)
            server = cluster.replica()
            if server is not None and not server.is_running():
                server.start()
        elapsed = time.monotonic() - started
        results.append((name, ok, elapsed, lines))
        print(f"   {'PASS' if ok else 'FAIL'} in {elapsed:.0f} s", flush=True)
        for line in lines:
            print(f"   {line}", flush=True)
    total = time.monotonic() - started_all
    report = _report(results, short=args.short, total=total)
    (STATE / f"drills{'-short' if args.short else ''}.md").write_text(report + "\n")
    if args.write_docs:
        reliability_doc_write("drills", report)
        print("written: docs/reliability.md")
    failed = [name for name, ok, _, _ in results if not ok]
    print(f"\n{len(results) - len(failed)}/{len(results)} drills passed in {total:.0f} s")
    return 1 if failed else 0


def _report(results: list[tuple[str, bool, float, list[str]]], *, short: bool, total: float) -> str:
    now = dt.datetime.now(dt.UTC)
    lines = [
        f"Run of {now:%Y-%m-%d %H:%M} UTC: `make drills{'-short' if short else ''}` against `make cluster` "
        f"({cluster.config.apps} app instances), {total:.0f} s in all.",
        "",
        "| drill | result | time | what happened |",
        "| --- | --- | ---: | --- |",
    ]
    for name, ok, elapsed, details in results:
        lines.append(f"| `{name}` | {'pass' if ok else '**FAIL**'} | {elapsed:.0f} s | {'<br>'.join(details)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
