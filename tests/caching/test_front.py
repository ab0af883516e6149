"""
The ASGI application uvicorn serves (config.asgi, apps.caching.front): a current stored response is
answered on the event loop, with the bytes and headers the full stack made; everything else goes
through a2wsgi's threads to the WSGI layer and Django, looked up once.
"""

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

from apps.articles.views import ArticleListApi
from apps.caching import responses
from apps.caching.generations import reset_cache_breaker
from config.asgi import application
from tests.caching.test_responses import PAGE, Answer
from tests.conftest import client_for
from tests.factories import ArticleFactory, UserFactory
from tests.helpers import api_url

# The threads run Django on their own database connections: the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

LIST = urlsplit(PAGE).path


def asgi_get(path: str, *, method: str = "GET", **headers: str) -> Answer:
    """One request through config.asgi.application as uvicorn hands it over (an HTTP scope, then its body)."""
    return async_to_sync(asgi_exchange)(path, method=method, **headers)


async def asgi_exchange(path: str, *, method: str = "GET", **headers: str) -> Answer:
    url = urlsplit(path)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": url.path,
        "raw_path": url.path.encode(),
        "query_string": url.query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(timeout=10)
    body = b""
    while True:
        message = await communicator.receive_output(timeout=10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(timeout=10)
    answered = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in start["headers"]]
    return Answer(start["status"], answered, body)


def without_request_id(answer: Answer) -> list[tuple[str, str]]:
    return [(name, value) for name, value in answer.headers if name != "x-request-id"]


@pytest.fixture
def article():
    return ArticleFactory(tags=["dragons"])


@pytest.fixture
def threaded(monkeypatch) -> list[str]:
    """The paths of the requests handed to the threads from now on (the others were answered on the loop)."""
    calls: list[str] = []
    threads = application.threaded

    async def counting(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            calls.append(scope["path"])
        await threads(scope, receive, send)

    monkeypatch.setattr(application, "threaded", counting)
    return calls


@pytest.fixture
def lookups(monkeypatch) -> list[str]:
    """The keys of the stored-response lookups from now on."""
    keys: list[str] = []
    original = responses.response_lookup

    def counting(key: str, **options: Any):
        keys.append(key)
        return original(key, **options)

    monkeypatch.setattr(responses, "response_lookup", counting)
    return keys


def test_a_stored_response_is_answered_on_the_loop_with_the_full_stacks_bytes_and_headers(article, threaded):
    first = asgi_get(PAGE)
    second = asgi_get(PAGE)
    assert threaded == [LIST]
    assert (first.status, second.status, second.body) == (200, 200, first.body)
    assert without_request_id(second) == without_request_id(first)
    assert second["X-Request-ID"] != first["X-Request-ID"]


def test_a_miss_is_looked_up_once_then_answered_by_django_and_stored(article, threaded, lookups):
    asgi_get(PAGE)
    assert len(lookups) == 1, "the WSGI layer trusts the front's miss"
    fan = UserFactory()
    assert client_for(fan).post(api_url("articles:favorite", slug=article.slug)).status_code == 200
    lookups.clear()
    after = asgi_get(PAGE)  # the favorite moved the list's stamps: the stored page is outdated
    assert b'"favoritesCount":1' in after.body
    assert len(lookups) == 1
    assert asgi_get(PAGE).body == after.body
    assert threaded == [LIST, LIST]


def test_readers_missing_together_wait_on_the_loop_for_one_rebuild(article, threaded, monkeypatch):
    """After a write, one reader rebuilds the page in a thread; the others wait for it without a thread each."""
    original = ArticleListApi.get

    def slow_get(self, request, *args, **kwargs):
        time.sleep(0.02)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(ArticleListApi, "get", slow_get)
    monkeypatch.setattr(responses, "REBUILD_WAIT_SECONDS", 10)  # a slow machine must not send a waiter to a thread

    async def together() -> list[Answer]:
        return list(await asyncio.gather(*(asgi_exchange(PAGE) for _ in range(6))))

    answers = async_to_sync(together)()
    assert [answer.status for answer in answers] == [200] * 6
    assert {answer.body for answer in answers} == {answers[0].body}
    assert threaded == [LIST]


def test_a_matching_etag_gets_304_from_the_loop(article, threaded):
    full = asgi_get(PAGE)
    response = asgi_get(PAGE, **{"If-None-Match": full["ETag"]})
    assert (response.status, response.body) == (304, b"")
    assert response["ETag"] == full["ETag"]
    assert not response.has("Content-Type")
    assert len(threaded) == 1


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("HEAD", {}),
        ("GET", {"Authorization": "Token not-a-token"}),
        ("GET", {"Origin": "https://elsewhere.example"}),
        ("GET", {"Accept": "text/html"}),
    ],
)
def test_requests_a_stored_response_cannot_answer_go_to_the_threads(article, threaded, method, headers):
    asgi_get(PAGE)
    response = asgi_get(PAGE, method=method, **headers)
    assert response.status in (200, 401, 406)
    assert len(threaded) == 2


def test_a_write_goes_to_the_threads_and_is_not_looked_up(article, threaded, lookups):
    path = api_url("articles:favorite", slug=article.slug)
    response = asgi_get(path, method="POST")
    assert response.status == 401
    assert threaded == [path]
    assert lookups == []


def test_the_lifespan_protocol_is_answered():
    async def lifespan() -> list[str]:
        communicator = ApplicationCommunicator(application, {"type": "lifespan", "asgi": {"version": "3.0"}})
        await communicator.send_input({"type": "lifespan.startup"})
        started = await communicator.receive_output(timeout=5)
        await communicator.send_input({"type": "lifespan.shutdown"})
        stopped = await communicator.receive_output(timeout=5)
        return [started["type"], stopped["type"]]

    assert async_to_sync(lifespan)() == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_with_redis_unreachable_every_read_goes_to_django_without_an_error(article, threaded, settings, monkeypatch):
    """The lookup on the loop fails once, trips the cache's breaker, and the threads serve from the database."""
    monkeypatch.setattr(responses, "_seen_stamps", {})  # what this process saw was another backend's
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "apps.caching.backends.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        },
    }
    try:
        answers = [asgi_get(PAGE) for _ in range(3)]
    finally:
        reset_cache_breaker()
    assert [answer.status for answer in answers] == [200, 200, 200]
    assert answers[2].body == answers[0].body
    assert threaded == [LIST] * 3
