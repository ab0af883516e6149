"""Rate limits: failed logins per (e-mail, address), per address, per account; sign-ups per address; writes per user."""

import contextlib
import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from apps.api import throttling
from apps.caching import security_state
from apps.caching.generations import cache_available, generations_bump, generations_get, reset_cache_breaker
from apps.caching.security_state import SECURITY_CACHE
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.helpers import api_url

pytestmark = pytest.mark.django_db

UNLIMITED = dict.fromkeys(settings.THROTTLE_RATES)
DEFAULT_RATES = dict(settings.THROTTLE_RATES)
OWNER, ATTACKER = "10.0.0.9", "10.0.0.66"
GUESSES = 60
CONCURRENT_GUESSES = 8
# Production's slow hasher (the tests' MD5 answers before another request even starts): a guess then
# takes as long as a real one, and guesses overlap as they do on a real server.
ARGON2 = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])


def rates(**scopes: str) -> override_settings:
    return override_settings(THROTTLE_RATES={**UNLIMITED, **scopes})


def login(client, email: str, password: str = "wrong-password", **extra):
    return client.post(api_url("users:login"), {"user": {"email": email, "password": password}}, **extra)


def sign_up(client, name: str, **extra):
    body = {"user": {"username": name, "email": f"{name}@example.com", "password": "password123"}}
    return client.post(api_url("users:register"), body, **extra)


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    seconds = int(response["Retry-After"])
    assert seconds > 0
    assert response.json() == {"errors": {"throttle": [f"Too many requests; retry in {seconds} seconds."]}}


def test_a_guessers_failures_do_not_lock_the_owner_out(api_client):
    # Ref: #9 (3): 20 wrong passwords for someone else's e-mail locked its owner out for an hour.
    UserFactory(email="victim@example.com", password="password123")
    with override_settings(THROTTLE_RATES=DEFAULT_RATES):
        statuses = [login(api_client, "victim@example.com", REMOTE_ADDR=ATTACKER).status_code for _ in range(20)]
        assert statuses.count(401) == throttling.LoginFailurePairThrottle().num_requests
        assert_throttled(login(api_client, "victim@example.com", REMOTE_ADDR=ATTACKER))
        assert login(api_client, "VICTIM@example.com", "password123", REMOTE_ADDR=OWNER).status_code == 200


def test_the_pair_limit_holds_even_with_the_right_password(api_client):
    UserFactory(email="victim@example.com", password="password123")
    with rates(login_failures_pair="3/15m"):
        for _ in range(3):
            assert login(api_client, "victim@example.com").status_code == 401
        assert_throttled(login(api_client, "victim@example.com", "password123"))
        # Another account, from the same address, is not affected.
        assert login(api_client, "other@example.com").status_code == 401


def test_many_addresses_meet_the_account_limit_which_a_trusted_client_is_not_subject_to(api_client):
    UserFactory(email="victim@example.com", password="password123")
    with rates(login_failures_account="5/h"):
        assert login(api_client, "victim@example.com", "password123", REMOTE_ADDR=OWNER).status_code == 200
        for number in range(5):
            assert login(api_client, "victim@example.com", REMOTE_ADDR=f"203.0.113.{number}").status_code == 401
        # A botnet's next address, right password or not, waits; the owner's known client does not.
        assert_throttled(login(api_client, "victim@example.com", "password123", REMOTE_ADDR="203.0.113.99"))
        assert login(api_client, "victim@example.com", "password123", REMOTE_ADDR=OWNER).status_code == 200


def test_successful_logins_do_not_count(api_client):
    UserFactory(email="me@example.com", password="password123")
    with rates(login_failures_pair="2/m", login_failures_account="2/m", login_failures_ip="2/m"):
        for _ in range(5):
            assert login(api_client, "me@example.com", "password123").status_code == 200
        # Nor do invalid requests (422): they never reach the password check.
        for _ in range(5):
            assert login(api_client, "").status_code == 422
        assert login(api_client, "me@example.com").status_code == 401


def test_failed_logins_per_address_are_limited_across_accounts(api_client):
    with rates(login_failures_ip="3/m"):
        for number in range(3):
            assert login(api_client, f"guess{number}@example.com").status_code == 401
        assert_throttled(login(api_client, "guess9@example.com"))
        assert login(api_client, "guess9@example.com", REMOTE_ADDR="10.0.0.2").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_concurrent_guesses_cannot_overtake_the_limit(live_server):
    # Ref: #9 (3): the counter was read-then-write, and 60 parallel guesses got 53 through a limit of 20.
    # On PostgreSQL (CI's second run) requests overlap for real; SQLite serializes writes at BEGIN.
    url = live_server.url + api_url("users:login")
    body = json.dumps({"user": {"email": "victim@example.com", "password": "wrong-password"}}).encode()

    def guess(_: int) -> int:
        request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    # As many at once as the test server's listen backlog takes (Django's live server: 5 waiting).
    # SQLite serializes the guesses (a write transaction each): there a slow hash would only queue them
    # past its busy timeout, so the slow hasher is for PostgreSQL, where they overlap.
    hasher = ARGON2 if connection.vendor == "postgresql" else contextlib.nullcontext()
    with rates(login_failures_pair="20/15m"), hasher, ThreadPoolExecutor(max_workers=CONCURRENT_GUESSES) as pool:
        statuses = list(pool.map(guess, range(GUESSES)))

    assert statuses.count(401) == 20, statuses
    assert statuses.count(429) == GUESSES - 20


def test_a_malformed_login_body_is_422_and_leaves_the_caches_on(api_client):
    # Ref: #9 (2): a JSON parse error in the per-account throttle tripped the process-wide cache breaker.
    with rates(login_failures_pair="1/15m"):
        assert login(api_client, "victim@example.com").status_code == 401
        response = api_client.post(api_url("users:login"), "{not json", content_type="application/json")
        assert response.status_code == 422
        assert response.json() == {"errors": {"request": ["is not valid JSON"]}}
        assert cache_available() and cache_available(SECURITY_CACHE)
        # The limits still hold...
        assert_throttled(login(api_client, "victim@example.com"))
    # ...and invalidations still land.
    before = generations_get(["test:gen"])["test:gen"]
    generations_bump("test:gen")
    assert generations_get(["test:gen"])["test:gen"] == before + 1


def test_sign_ups_per_address_are_limited(api_client):
    with rates(signups_ip="2/h"):
        assert sign_up(api_client, "one").status_code == 201
        assert sign_up(api_client, "two").status_code == 201
        assert_throttled(sign_up(api_client, "three"))
        assert sign_up(api_client, "three", REMOTE_ADDR="10.0.0.3").status_code == 201


def test_writes_per_user_are_limited_and_reads_are_not(api_client):
    client = client_for(UserFactory())
    article = {"article": {"title": "t", "description": "d", "body": "b"}}
    with rates(writes_user="2/m"):
        assert client.post(api_url("articles:list"), article).status_code == 201
        assert client.post(api_url("articles:list"), article).status_code == 201
        assert_throttled(client.post(api_url("articles:list"), article))
        assert client.get(api_url("articles:list")).status_code == 200
        assert client_for(UserFactory()).post(api_url("articles:list"), article).status_code == 201


def test_x_forwarded_for_is_ignored_without_trusted_proxies(api_client):
    with rates(signups_ip="1/h"):
        assert sign_up(api_client, "one", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 201
        # A client cannot get a fresh allowance by making up an address.
        assert_throttled(sign_up(api_client, "two", HTTP_X_FORWARDED_FOR="203.0.113.2"))


def test_behind_one_trusted_proxy_the_address_it_appended_counts(api_client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    with rates(signups_ip="1/h"):
        assert sign_up(api_client, "one", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.1").status_code == 201
        # The spoofed first entry changes, the address the proxy saw does not: still the same client.
        assert_throttled(sign_up(api_client, "two", HTTP_X_FORWARDED_FOR="198.51.100.8, 203.0.113.1"))
        assert sign_up(api_client, "three", HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 201


class BrokenStore:
    def __getattr__(self, name: str) -> object:
        raise ConnectionError("redis is down")


def test_throttling_fails_open_when_the_security_store_is_down(api_client):
    client = client_for(UserFactory())
    article = {"article": {"title": "t", "description": "d", "body": "b"}}
    with (
        rates(writes_user="1/m", login_failures_ip="1/m"),
        mock.patch.object(security_state, "security_cache", BrokenStore),
    ):
        try:
            for _ in range(3):
                assert client.post(api_url("articles:list"), article).status_code == 201
            for _ in range(3):
                assert login(api_client, "nobody@example.com").status_code == 401
            assert not cache_available(SECURITY_CACHE)
            assert cache_available()  # the data cache is another store: it stays on
        finally:
            reset_cache_breaker()


def test_the_default_rates_are_far_above_a_conformance_run():
    """The RealWorld suites, twice from one address, sign up about 45 users and write ~20 times per user."""
    assert throttling.SignupIpThrottle().num_requests >= 300
    assert throttling.UserWriteThrottle().num_requests >= 100
    assert throttling.LoginFailureIpThrottle().num_requests >= 50
