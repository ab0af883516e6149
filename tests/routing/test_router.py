"""
Read replicas (apps.routing.router, docs/replicas.md).

The unit tests check the routing decisions on any database, with made-up replica aliases that are
never queried. The integration tests run against a real streaming replica that the
`postgres_replica` fixture starts from the test PostgreSQL server (deploy/replica.py); they are
skipped on SQLite.
"""

import runpy
import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from pytest_django.fixtures import Settings
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import AccessToken

from apps.articles.models import Article
from apps.articles.services import article_create
from apps.caching.generations import reset_cache_breaker
from apps.caching.security_state import recent_write_key, security_cache
from apps.profiles.models import Follow
from apps.routing import router as db_router
from apps.routing.router import (
    ReplicaMiddleware,
    ReplicaRouter,
    mark_replica_down,
    replica_is_healthy,
    reset_replica_health,
    use_primary,
)
from apps.tags.models import Tag
from apps.users.authentication import TokenAuthentication
from apps.users.models import User
from deploy.replica import REPLICA_ALIAS, ReplicaServer, paused_replay
from tests.client import APIClient
from tests.factories import ArticleFactory, UserFactory
from tests.helpers import api_url

REPLICAS = ["replica1", "replica2"]
ARTICLES = api_url("articles:list")
CURRENT_USER = api_url("users:current")
BASE_SETTINGS = Path(__file__).resolve().parents[2] / "backend" / "config" / "settings" / "base.py"


def token_for(user_id: int, *, age: float) -> str:
    """A valid token for `user_id`, issued `age` seconds ago (read-your-writes looks at its `iat`)."""
    token = AccessToken()
    token["user_id"] = user_id
    token.set_iat(at_time=token.current_time - timedelta(seconds=age))
    return str(token)


def client_for(user: User, *, age: float = 3600) -> APIClient:
    """A client whose token is an hour old unless told otherwise: it has not just signed in."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user.pk, age=age)}")
    return client


@pytest.fixture
def replicas(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Two made-up replicas that pass their health checks (no database behind them)."""
    settings.DATABASE_REPLICAS = REPLICAS
    reset_cache_breaker()  # read-your-writes needs the cache: forget another test's simulated outage
    monkeypatch.setattr(db_router, "_probe", lambda alias: True)
    reset_replica_health()
    yield REPLICAS
    reset_replica_health()


def run_request(request: HttpRequest, view: Callable[[], Any] | None = None, status: int = 200) -> dict[str, Any]:
    """Runs `request` through ReplicaMiddleware; returns where the view's reads and writes went."""
    seen: dict[str, Any] = {}
    router = ReplicaRouter()

    def get_response(request: HttpRequest) -> HttpResponse:
        seen["read"] = router.db_for_read(Article)
        seen["read_again"] = router.db_for_read(Article)
        if view is not None:
            view()
            seen["read_after_view"] = router.db_for_read(Article)
        return HttpResponse(status=status)

    ReplicaMiddleware(get_response)(request)
    return seen


# ------------------------------------------------------------------------------
# Settings
# ------------------------------------------------------------------------------
def load_base_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """config.settings.base evaluated afresh under `env` (the test process's own settings stay)."""
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_SETTINGS))


def test_settings_without_replica_url_change_nothing(monkeypatch):
    config = load_base_settings(monkeypatch)
    assert list(config["DATABASES"]) == ["default"]
    assert config["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert config["DATABASE_REPLICAS"] == []
    assert "DATABASE_ROUTERS" not in config
    assert "apps.routing.router.ReplicaMiddleware" not in config["MIDDLEWARE"]


def test_settings_add_one_alias_per_replica_url(monkeypatch):
    config = load_base_settings(
        monkeypatch,
        DATABASE_URL="postgres://app@primary:5432/conduit",
        DATABASE_REPLICA_URL="postgres://app@replica-a:5432/conduit, postgres://app@replica-b/conduit?sslmode=require",
        DJANGO_CONN_MAX_AGE="30",
    )
    databases = config["DATABASES"]
    assert list(databases) == ["default", "replica1", "replica2"]
    assert config["DATABASE_REPLICAS"] == ["replica1", "replica2"]
    assert (databases["replica1"]["HOST"], databases["replica2"]["HOST"]) == ("replica-a", "replica-b")
    for alias in config["DATABASE_REPLICAS"]:
        replica = databases[alias]
        assert replica["CONN_MAX_AGE"] == 30
        assert replica["CONN_HEALTH_CHECKS"] is True
        assert replica["ATOMIC_REQUESTS"] is False
        assert replica["OPTIONS"]["connect_timeout"] == 2
        assert replica["TEST"] == {"MIRROR": "default"}
    assert databases["replica2"]["OPTIONS"]["sslmode"] == "require"
    assert config["DATABASE_ROUTERS"] == ["apps.routing.router.ReplicaRouter"]
    assert config["MIDDLEWARE"][-1] == "apps.routing.router.ReplicaMiddleware"


@pytest.mark.parametrize(
    ("primary", "replica"),
    [("sqlite:///var/db.sqlite3", "postgres://app@replica/conduit"), ("sqlite:///a.sqlite3", "sqlite:///b.sqlite3")],
)
def test_settings_refuse_replicas_that_are_not_postgresql(monkeypatch, primary: str, replica: str):
    with pytest.raises(ImproperlyConfigured, match="replicas are PostgreSQL servers"):
        load_base_settings(monkeypatch, DATABASE_URL=primary, DATABASE_REPLICA_URL=replica)


# ------------------------------------------------------------------------------
# Router decisions
# ------------------------------------------------------------------------------
def test_router_sends_writes_to_the_primary_and_migrates_only_the_primary(replicas):
    router = ReplicaRouter()
    assert router.db_for_write(Article) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "articles") is None  # Django's default: yes
    assert router.allow_migrate("replica1", "articles") is False


def test_router_sends_reads_to_a_healthy_replica(replicas):
    reads = {ReplicaRouter().db_for_read(Article) for _ in range(50)}
    assert reads == set(REPLICAS)  # random: both serve


def test_router_skips_a_replica_that_is_down(replicas):
    mark_replica_down("replica1")
    assert {ReplicaRouter().db_for_read(Article) for _ in range(20)} == {"replica2"}
    mark_replica_down("replica2")
    assert ReplicaRouter().db_for_read(Article) == DEFAULT_DB_ALIAS


def test_router_without_replicas_reads_from_the_primary(settings):
    settings.DATABASE_REPLICAS = []
    assert ReplicaRouter().db_for_read(Article) == DEFAULT_DB_ALIAS


def test_router_reads_from_the_primary_inside_use_primary(replicas):
    with use_primary():
        assert ReplicaRouter().db_for_read(Article) == DEFAULT_DB_ALIAS
    assert ReplicaRouter().db_for_read(Article) in REPLICAS


def test_router_reads_related_objects_of_a_primary_instance_from_the_primary(replicas):
    article = Article()
    article._state.db = DEFAULT_DB_ALIAS
    assert ReplicaRouter().db_for_read(User, instance=article) == DEFAULT_DB_ALIAS
    article._state.db = "replica2"
    assert ReplicaRouter().db_for_read(User, instance=article) in REPLICAS


def test_router_allows_relations_between_the_primary_and_replicas(replicas):
    on_primary, on_replica = Article(), User()
    on_primary._state.db, on_replica._state.db = DEFAULT_DB_ALIAS, "replica1"
    assert ReplicaRouter().allow_relation(on_primary, on_replica) is True


@pytest.mark.django_db(transaction=True)
def test_router_reads_from_the_primary_inside_a_transaction(replicas):
    assert ReplicaRouter().db_for_read(Article) in REPLICAS
    with transaction.atomic():
        assert ReplicaRouter().db_for_read(Article) == DEFAULT_DB_ALIAS


# ------------------------------------------------------------------------------
# Middleware: per-request decisions and read-your-writes
# ------------------------------------------------------------------------------
def test_safe_request_reads_from_one_replica(replicas, rf: RequestFactory):
    seen = run_request(rf.get(ARTICLES))
    assert seen["read"] in REPLICAS
    assert seen["read_again"] == seen["read"]  # sticky for the request


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unsafe_request_reads_from_the_primary(replicas, rf: RequestFactory, method: str):
    assert run_request(getattr(rf, method)(ARTICLES))["read"] == DEFAULT_DB_ALIAS


def test_safe_request_reads_from_the_primary_after_it_wrote(replicas, rf: RequestFactory):
    seen = run_request(rf.get(ARTICLES), view=lambda: ReplicaRouter().db_for_write(Article))
    assert seen["read"] in REPLICAS
    assert seen["read_after_view"] == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("atomic_request", [True, False], ids=["ATOMIC_REQUESTS view", "non-atomic view"])
def test_safe_request_reads_from_the_primary_inside_a_transaction_of_its_own(
    replicas, rf: RequestFactory, atomic_request: bool
):
    def view(request: HttpRequest) -> HttpResponse:
        seen.append(router.db_for_read(Article))
        with transaction.atomic():  # a service's own transaction
            seen.append(router.db_for_read(Article))
        return HttpResponse()

    def get_response(request: HttpRequest) -> HttpResponse:
        # What Django's handler does: process_view, then the view, in a transaction unless it opted out.
        callback = view if atomic_request else transaction.non_atomic_requests(view)
        middleware.process_view(request, callback, (), {})
        if not atomic_request:
            return callback(request)
        with transaction.atomic():
            return callback(request)

    seen: list[str] = []
    router = ReplicaRouter()
    middleware = ReplicaMiddleware(get_response)
    middleware(rf.get(ARTICLES))
    assert seen[0] in REPLICAS  # the request's own transaction does not count
    assert seen[1] == DEFAULT_DB_ALIAS


def test_request_with_a_fresh_token_reads_from_the_primary(replicas, rf: RequestFactory):
    """A token issued within the window comes from a sign-up, login or user update: a fresh write."""
    fresh = rf.get(CURRENT_USER, HTTP_AUTHORIZATION=f"Token {token_for(7, age=1)}")
    old = rf.get(CURRENT_USER, HTTP_AUTHORIZATION=f"Token {token_for(7, age=60)}")
    assert run_request(fresh)["read"] == DEFAULT_DB_ALIAS
    assert run_request(old)["read"] in REPLICAS


def test_successful_write_sends_the_clients_next_reads_to_the_primary(replicas, rf: RequestFactory, settings):
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token_for(7, age=60)}"}
    run_request(rf.post(ARTICLES, **headers), status=201)
    assert security_cache().get(recent_write_key(7)) is not None
    assert run_request(rf.get(ARTICLES, **headers))["read"] == DEFAULT_DB_ALIAS
    other_client: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {token_for(8, age=60)}"}
    assert run_request(rf.get(ARTICLES, **other_client))["read"] in REPLICAS
    assert run_request(rf.get(ARTICLES))["read"] in REPLICAS


def test_read_your_writes_window_expires(replicas, rf: RequestFactory):
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {token_for(7, age=60)}"}
    run_request(rf.put(CURRENT_USER, **headers))
    assert run_request(rf.get(CURRENT_USER, **headers))["read"] == DEFAULT_DB_ALIAS
    security_cache().delete(recent_write_key(7))  # what the cache does once the TTL has passed
    assert run_request(rf.get(CURRENT_USER, **headers))["read"] in REPLICAS


def test_failed_write_is_not_remembered(replicas, rf: RequestFactory):
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {token_for(7, age=60)}"}
    run_request(rf.post(ARTICLES, **headers), status=422)
    assert security_cache().get(recent_write_key(7)) is None


def test_read_your_writes_can_be_switched_off(replicas, rf: RequestFactory, settings):
    settings.DATABASE_READ_YOUR_WRITES_SECONDS = 0
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {token_for(7, age=0)}"}
    run_request(rf.post(ARTICLES, **headers), status=201)
    assert security_cache().get(recent_write_key(7)) is None
    assert run_request(rf.get(ARTICLES, **headers))["read"] in REPLICAS


def test_invalid_token_reads_from_a_replica(replicas, rf: RequestFactory):
    request = rf.get(CURRENT_USER, HTTP_AUTHORIZATION="Token not-a-jwt")
    assert run_request(request)["read"] in REPLICAS


def test_session_request_reads_from_the_primary(replicas, rf: RequestFactory, settings):
    request = rf.get("/admin/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "some-session"
    assert run_request(request)["read"] == DEFAULT_DB_ALIAS


def test_unreachable_cache_sends_reads_to_the_primary(replicas, rf: RequestFactory, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("cache down")

    monkeypatch.setattr(security_cache(), "get", broken)
    monkeypatch.setattr(security_cache(), "set", broken)
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {token_for(7, age=60)}"}
    assert run_request(rf.get(ARTICLES, **headers))["read"] == DEFAULT_DB_ALIAS
    assert run_request(rf.post(ARTICLES, **headers), status=201)["read"] == DEFAULT_DB_ALIAS


def test_routing_state_does_not_outlive_the_request(replicas, rf: RequestFactory):
    run_request(rf.post(ARTICLES))
    assert ReplicaRouter().db_for_read(Article) in REPLICAS


@pytest.mark.django_db
def test_token_for_a_missing_user_is_looked_up_once_without_replicas(settings, django_assert_num_queries):
    settings.DATABASE_REPLICAS = []
    token = TokenAuthentication().get_validated_token(token_for(123456, age=60).encode())
    with django_assert_num_queries(1), pytest.raises(AuthenticationFailed):
        TokenAuthentication().get_user(token)


# ------------------------------------------------------------------------------
# Health checks
# ------------------------------------------------------------------------------
def test_health_probe_is_a_tcp_connect(monkeypatch):
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        monkeypatch.setitem(connections.settings, "probed", {"HOST": "127.0.0.1", "PORT": listening.getsockname()[1]})
        assert db_router._probe("probed") is True
    assert db_router._probe("probed") is False


def test_health_verdict_is_cached(replicas, settings, monkeypatch):
    probes: list[str] = []
    monkeypatch.setattr(db_router, "_probe", lambda alias: probes.append(alias) or False)
    assert replica_is_healthy("replica1") is False
    assert replica_is_healthy("replica1") is False
    assert probes == ["replica1"]
    settings.DATABASE_REPLICA_HEALTH_SECONDS = 0
    assert replica_is_healthy("replica1") is False
    assert probes == ["replica1", "replica1"]


# ------------------------------------------------------------------------------
# Integration: a real streaming replica (PostgreSQL only)
# ------------------------------------------------------------------------------
with_replica = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA_ALIAS])


def article_body(title: str) -> dict[str, Any]:
    return {"article": {"title": title, "description": "d", "body": "b", "tagList": []}}


@with_replica
def test_replica_is_a_streaming_standby_of_the_primary(replica: ReplicaServer):
    with connections[REPLICA_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (False,)


@with_replica
def test_reads_go_to_the_replica_and_writes_to_the_primary(replica: ReplicaServer):
    assert Tag.objects.all().db == REPLICA_ALIAS
    with paused_replay(replica):
        Tag.objects.create(name="fresh")  # a standby would refuse this write
        assert Tag.objects.using(DEFAULT_DB_ALIAS).filter(name="fresh").exists()
        assert not Tag.objects.filter(name="fresh").exists()  # read on the lagging replica
    assert Tag.objects.filter(name="fresh").exists()  # replayed


@with_replica
def test_api_reads_come_from_the_replica(replica: ReplicaServer):
    user = cast(User, UserFactory(bio="before"))
    replica.wait_for_replay()
    client = client_for(user)
    with paused_replay(replica):
        User.objects.filter(pk=user.pk).update(bio="after")
        assert client.get(CURRENT_USER).json()["user"]["bio"] == "before"
    assert client.get(CURRENT_USER).json()["user"]["bio"] == "after"


@with_replica
def test_client_reads_its_own_writes_from_the_primary(replica: ReplicaServer):
    user = cast(User, UserFactory(bio="before"))
    replica.wait_for_replay()
    client = client_for(user)
    with paused_replay(replica):
        response = client.put(CURRENT_USER, {"user": {"bio": "after"}}, format="json")
        assert response.status_code == 200, response.content
        assert client.get(CURRENT_USER).json()["user"]["bio"] == "after"  # the primary, for the window
        security_cache().delete(recent_write_key(user.pk))  # the window is over: the lagging replica again
        assert client.get(CURRENT_USER).json()["user"]["bio"] == "before"
    assert client.get(CURRENT_USER).json()["user"]["bio"] == "after"


@with_replica
def test_new_user_reads_from_the_primary_right_after_sign_up(replica: ReplicaServer):
    with paused_replay(replica):
        body = {"user": {"username": "newcomer", "email": "newcomer@example.com", "password": "password123"}}
        response = APIClient().post(api_url("users:register"), body, format="json")
        assert response.status_code == 201, response.content
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['user']['token']}")
        current = client.get(CURRENT_USER)
        assert current.status_code == 200, current.content
        assert current.json()["user"]["username"] == "newcomer"


@with_replica
def test_token_user_missing_on_the_replica_is_looked_up_on_the_primary(replica: ReplicaServer):
    with paused_replay(replica):
        user = cast(User, UserFactory())  # only on the primary, and its (old) token does not pin it there
        response = client_for(user).get(CURRENT_USER)
        assert response.status_code == 200, response.content
        assert response.json()["user"]["username"] == user.username


@with_replica
def test_reads_fall_back_to_the_primary_when_the_replica_is_down(replica: ReplicaServer, caplog):
    user = cast(User, UserFactory(bio="before"))
    replica.wait_for_replay()
    client = client_for(user)
    assert client.get(CURRENT_USER).status_code == 200  # read on the replica, which is now connected
    replica.stop()
    User.objects.filter(pk=user.pk).update(bio="after")

    # The health verdict still says "up": the query fails on the replica and the request is retried.
    response = client.get(CURRENT_USER)
    assert response.status_code == 200, response.content
    assert response.json()["user"]["bio"] == "after"
    assert "read replica replica1 failed" in caplog.text
    assert replica_is_healthy(REPLICA_ALIAS) is False

    # A fresh health check finds the replica down: reads go straight to the primary.
    reset_replica_health()
    assert User.objects.all().db == DEFAULT_DB_ALIAS
    assert client.get(CURRENT_USER).json()["user"]["bio"] == "after"
    article = ArticleFactory(author=user)
    assert APIClient().get(api_url("articles:detail", slug=article.slug)).status_code == 200
    assert APIClient().get(ARTICLES).status_code == 200
    assert client.post(ARTICLES, article_body("Still up"), format="json").status_code == 201

    # Back up: after its next health check the replica serves reads again.
    replica.start()
    replica.wait_for_replay()
    reset_replica_health()
    assert User.objects.all().db == REPLICA_ALIAS
    assert User.objects.get(pk=user.pk).bio == "after"


@with_replica
def test_a_feed_read_on_a_lagging_replica_is_never_labelled_as_newer_data(replica: ReplicaServer):
    # Ref: #9 (12): the feed's ETag came from counters on the primary, its rows from a lagging replica,
    # so an old feed went out under the new ETag and the client kept it (304) until the next write.
    # Since #12 the first page is a cached entry, loaded from the primary like every cached read; the
    # deeper pages are read fresh, through the router: a replica may answer them.
    reader, author = cast(User, UserFactory()), cast(User, UserFactory())
    Follow.objects.create(follower=reader, followee=author)
    replica.wait_for_replay()
    client = client_for(reader)
    deeper = f"{api_url('feeds:feed')}?offset=1"
    with paused_replay(replica):
        article_create(author=author, title="Fresh", description="d", body="b", tag_list=[])
        assert client.get(api_url("feeds:feed")).json()["articlesCount"] == 1  # the primary's
        stale = client.get(deeper)
        assert stale.status_code == 200
        assert stale.json()["articlesCount"] == 0  # the replica has not replayed the publish
    replica.wait_for_replay()
    fresh = client.get(deeper, HTTP_IF_NONE_MATCH=stale["ETag"])
    assert fresh.status_code == 200
    assert fresh.json()["articlesCount"] == 1
    assert client.get(deeper, HTTP_IF_NONE_MATCH=fresh["ETag"]).status_code == 304
