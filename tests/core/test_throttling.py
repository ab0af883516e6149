"""Rate limits: failed logins per account and per address, sign-ups per address, writes per user."""

from unittest import mock

import pytest
from django.test import override_settings

from apps.core import throttling
from apps.core.caching import reset_cache_breaker
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.helpers import api_url

pytestmark = pytest.mark.django_db

UNLIMITED = {"login_failures_account": None, "login_failures_ip": None, "signups_ip": None, "writes_user": None}


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


def test_failed_logins_per_account_are_limited_even_with_the_right_password(api_client):
    UserFactory(email="victim@example.com", password="password123")
    with rates(login_failures_account="3/m"):
        for _ in range(3):
            assert login(api_client, "victim@example.com").status_code == 401
        assert_throttled(login(api_client, "VICTIM@example.com", "password123", REMOTE_ADDR="10.0.0.9"))
        # Another account is not affected.
        assert login(api_client, "other@example.com").status_code == 401


def test_successful_logins_do_not_count(api_client):
    UserFactory(email="me@example.com", password="password123")
    with rates(login_failures_account="2/m", login_failures_ip="2/m"):
        for _ in range(5):
            assert login(api_client, "me@example.com", "password123").status_code == 200


def test_failed_logins_per_address_are_limited_across_accounts(api_client):
    with rates(login_failures_ip="3/m"):
        for number in range(3):
            assert login(api_client, f"guess{number}@example.com").status_code == 401
        assert_throttled(login(api_client, "guess9@example.com"))
        assert login(api_client, "guess9@example.com", REMOTE_ADDR="10.0.0.2").status_code == 401


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


def test_throttling_fails_open_when_the_cache_is_down(api_client):
    client = client_for(UserFactory())
    article = {"article": {"title": "t", "description": "d", "body": "b"}}
    with (
        rates(writes_user="1/m", login_failures_ip="1/m"),
        mock.patch.object(throttling.SimpleRateThrottle, "cache") as broken_cache,
    ):
        broken_cache.get.side_effect = ConnectionError("redis is down")
        try:
            for _ in range(3):
                assert client.post(api_url("articles:list"), article).status_code == 201
            for _ in range(3):
                assert login(api_client, "nobody@example.com").status_code == 401
        finally:
            reset_cache_breaker()


def test_the_default_rates_are_far_above_a_conformance_run():
    """The RealWorld suites, twice from one address, sign up about 45 users and write ~20 times per user."""
    assert throttling.SignupIpThrottle().num_requests >= 300
    assert throttling.UserWriteThrottle().num_requests >= 100
    assert throttling.LoginFailureIpThrottle().num_requests >= 50
