"""The probes: /healthz touches nothing; /readyz reports each service and answers 503 when one fails."""

import os
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings

from apps.health import selectors
from tests.celery_helpers import broker, dead_broker_url, eager_tasks  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_without_any_query(api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api_client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_probes_are_not_redirected_to_https_nor_need_a_token(api_client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert api_client.get("/healthz").status_code == 200
        assert api_client.get("/readyz").status_code == 200


def test_healthz_refuses_writes(api_client):
    assert api_client.post("/healthz").status_code == 405


def test_readyz_reports_each_service(api_client, eager_tasks):  # noqa: F811
    with override_settings(REDIS_URL=""):
        response = api_client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "embedded", "broker": "embedded"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_503_naming_the_failing_database(api_client, eager_tasks):  # noqa: F811
    failing_cursor = mock.patch.object(selectors.connections["default"], "cursor", side_effect=OperationalError)
    with override_settings(REDIS_URL=""), failing_cursor:
        response = api_client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "failing"
    assert body["errors"] == {"database": ["unreachable"]}


def test_readyz_is_503_when_the_broker_is_unreachable(api_client):
    with override_settings(REDIS_URL=""), broker(dead_broker_url()):
        response = api_client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["broker"] == "failing"
    assert response.json()["errors"] == {"broker": ["unreachable"]}


def test_readyz_is_503_when_the_redis_cache_is_unreachable(api_client, eager_tasks):  # noqa: F811
    with (
        override_settings(REDIS_URL="redis://127.0.0.1:1/0"),
        mock.patch.object(selectors.cache, "get", side_effect=ConnectionError("refused")),
    ):
        response = api_client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["cache"] == "failing"


@pytest.mark.skipif(
    not (os.environ.get("REDIS_URL") and os.environ.get("CELERY_BROKER_URL")),
    reason="set REDIS_URL and CELERY_BROKER_URL to probe the real services",
)
def test_readyz_is_ok_on_the_real_services(api_client):
    with broker(os.environ["CELERY_BROKER_URL"]):
        response = api_client.get("/readyz")

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
