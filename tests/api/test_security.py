"""Request size limits and the security headers of production responses."""

import pytest
from django.test import override_settings

from tests.core.test_settings import manage
from tests.helpers import api_url

pytestmark = pytest.mark.django_db


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_limit_is_413_in_the_envelope(auth_client):
    body = {"article": {"title": "t", "description": "d", "body": "x" * 2000}}
    response = auth_client.post(api_url("articles:list"), body)

    assert response.status_code == 413
    assert response.json() == {"errors": {"request": ["is too large (at most 1000 bytes)"]}}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_under_the_limit_is_served(auth_client):
    response = auth_client.post(api_url("articles:list"), {"article": {"title": "t", "description": "d", "body": "b"}})
    assert response.status_code == 201


def test_api_responses_forbid_sniffing_framing_and_referrers(api_client):
    response = api_client.get(api_url("tags:list"))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_production_sends_hsts_on_https(api_client, settings):
    assert not settings.DEBUG and settings.SECURE_HSTS_SECONDS >= 31536000
    response = api_client.get(api_url("tags:list"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_probes_and_metrics_get_no_cors_headers(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://127.0.0.1:5173"]
    for path in ("/healthz", "/metrics"):
        response = api_client.get(path, HTTP_ORIGIN="http://127.0.0.1:5173")
        assert "Access-Control-Allow-Origin" not in response, path


def test_debug_mode_never_sends_hsts_whatever_the_environment():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)",
        DJANGO_DEBUG="true",
        DJANGO_SECURE_HSTS_SECONDS="600",
    )
    assert result.stdout.strip().splitlines()[-1] == "0", result.stderr


STRONG_KEY = "test-only-" + "k" * 60


def test_a_clients_own_x_forwarded_proto_is_not_believed_without_a_trusted_proxy(api_client, settings):
    # Ref: #9 (7, 11): with NUM_PROXIES=0 the client is the TCP peer, and so is the scheme.
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        NUM_PROXIES="0",
        DJANGO_SECRET_KEY=STRONG_KEY,
    )
    assert result.stdout.strip().splitlines()[-1] == "None", result.stderr
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        NUM_PROXIES="1",
        DJANGO_SECRET_KEY=STRONG_KEY,
    )
    assert "HTTP_X_FORWARDED_PROTO" in result.stdout, result.stderr
