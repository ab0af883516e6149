"""v2 answers every error as RFC 9457 problem details (apps.api.problems); v1 keeps its envelope."""

import pytest
from django.test import override_settings

from apps.articles.models import Article
from tests.api.test_throttling import rates
from tests.api_v2.helpers import assert_problem, v2_url
from tests.conftest import client_for
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

ARTICLE = {"article": {"title": "t", "description": "d", "body": "b"}}


def test_validation_is_a_422_problem_with_v1s_field_errors(auth_client):
    body = assert_problem(
        auth_client.post(v2_url("articles:list"), {"article": {"description": "d", "body": "b"}}),
        422,
        "validation-failed",
        {"title": ["can't be blank"]},
    )
    assert body["detail"] == "title can't be blank"


def test_a_missing_or_bad_token_is_a_401_problem(api_client):
    assert_problem(api_client.get(v2_url("users:current")), 401, "unauthenticated", {"token": ["is missing"]})
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-jwt")
    response = api_client.get(v2_url("users:current"))
    assert_problem(response, 401, "unauthenticated", {"token": ["is invalid"]})
    assert response["WWW-Authenticate"]


def test_someone_elses_article_is_a_403_problem(auth_client):
    article = ArticleFactory()
    response = auth_client.delete(v2_url("articles:detail", slug=article.slug))
    assert_problem(response, 403, "forbidden", {"article": ["forbidden"]})
    assert Article.objects.filter(pk=article.pk).exists()


def test_an_unknown_resource_is_a_404_problem(api_client):
    assert_problem(api_client.get(v2_url("articles:detail", slug="missing")), 404, "not-found")
    assert_problem(api_client.get(v2_url("profiles:detail", username="nobody")), 404, "not-found")


@pytest.mark.parametrize("path", ["/api/v2/nothing-here", "/api/v2/", "/api/v2/articles/", "/api/v2/tags/x/y"])
def test_the_catch_all_under_v2_is_a_404_problem(api_client, path):
    assert_problem(api_client.get(path), 404, "not-found", {"resource": ["not found"]})


def test_the_catch_all_outside_v2_keeps_the_envelope(api_client):
    for path in ("/api/v1/nothing-here", "/api/nothing-here", "/nothing-here"):
        response = api_client.get(path)
        assert response.status_code == 404
        assert response.json() == {"errors": {"resource": ["not found"]}}


def test_a_method_not_allowed_is_a_405_problem(auth_client):
    assert_problem(auth_client.patch(v2_url("tags:list"), {}), 405, "method-not-allowed")


def test_a_taken_username_is_a_409_problem(api_client, user):
    body = {"user": {"username": user.username, "email": "new@example.com", "password": "password123"}}
    assert_problem(
        api_client.post(v2_url("users:register"), body), 409, "conflict", {"username": ["has already been taken"]}
    )


def test_a_body_that_is_not_json_is_a_400_problem(auth_client):
    response = auth_client.post(v2_url("articles:list"), "{not json", content_type="application/json")
    assert_problem(response, 400, "malformed-request", {"request": ["is not valid JSON"]})
    # v1 keeps RealWorld's 422.
    v1 = auth_client.post("/api/v1/articles", "{not json", content_type="application/json")
    assert v1.status_code == 422
    assert v1.json() == {"errors": {"request": ["is not valid JSON"]}}


def test_a_body_nested_too_deeply_is_a_400_problem(auth_client):
    response = auth_client.post(v2_url("articles:list"), "[" * 40 + "]" * 40, content_type="application/json")
    assert_problem(response, 400, "malformed-request")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_body_too_large_is_a_413_problem(auth_client):
    response = auth_client.post(v2_url("articles:list"), {"article": {"body": "x" * 200}})
    assert_problem(response, 413, "payload-too-large")
    assert response["Cache-Control"] == "no-store"


def test_an_unsupported_media_type_is_a_415_problem(auth_client):
    response = auth_client.post(v2_url("articles:list"), "title=t", content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415, "unsupported-media-type")


def test_a_throttled_write_is_a_429_problem_with_retry_after():
    client = client_for(UserFactory())
    with rates(writes_user="1/m"):
        assert client.post(v2_url("articles:list"), ARTICLE).status_code == 201
        response = client.post(v2_url("articles:list"), ARTICLE)
    assert_problem(response, 429, "rate-limited")
    assert int(response["Retry-After"]) > 0
    assert response.json()["errors"]["throttle"][0].startswith("Too many requests")


def test_an_invalid_query_parameter_is_a_422_problem(api_client):
    article = ArticleFactory()
    CommentFactory(article=article)
    for url in (
        v2_url("articles:list") + "?limit=0",
        v2_url("articles:list") + "?cursor=garbage",
        v2_url("comments:list", slug=article.slug) + "?cursor=garbage",
    ):
        assert_problem(api_client.get(url), 422, "validation-failed")


def test_problems_are_never_stored_or_cached(api_client):
    response = api_client.get(v2_url("articles:detail", slug="missing"))
    assert response["Cache-Control"] == "no-store"
