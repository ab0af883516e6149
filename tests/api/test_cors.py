import pytest
from django.test import override_settings

from tests.helpers import api_url

pytestmark = pytest.mark.django_db

SPA_ORIGIN = "http://127.0.0.1:5173"
ARTICLES = api_url("articles:list")


@override_settings(CORS_ALLOWED_ORIGINS=[SPA_ORIGIN])
def test_configured_origin_may_call_the_api_with_a_token(api_client):
    response = api_client.options(
        ARTICLES,
        HTTP_ORIGIN=SPA_ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert "authorization" in response["Access-Control-Allow-Headers"]


@override_settings(CORS_ALLOWED_ORIGINS=[SPA_ORIGIN])
def test_other_origins_get_no_cors_headers(api_client):
    response = api_client.get(ARTICLES, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@override_settings(CORS_ALLOWED_ORIGINS=[SPA_ORIGIN])
def test_the_spa_may_send_an_idempotency_key_and_read_the_retry_headers(api_client):
    preflight = api_client.options(
        ARTICLES,
        HTTP_ORIGIN=SPA_ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key",
    )
    assert "idempotency-key" in preflight["Access-Control-Allow-Headers"]

    response = api_client.get(ARTICLES, HTTP_ORIGIN=SPA_ORIGIN)
    exposed = {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}
    assert {"retry-after", "idempotent-replayed", "x-request-id"} <= exposed
