"""Hostile or odd input ends as a 4xx in the envelope, never as a 500 (PostgreSQL rejects NUL in text)."""

import pytest

from tests.factories import ArticleFactory
from tests.helpers import api_url, assert_error

pytestmark = pytest.mark.django_db

NUL = "a\x00b"


@pytest.mark.parametrize(
    ("method", "url_name", "body", "field"),
    [
        ("post", "users:register", {"user": {"username": NUL, "email": "a@b.co", "password": "password"}}, "username"),
        ("post", "users:login", {"user": {"email": NUL, "password": "password"}}, "email"),
        ("put", "users:current", {"user": {"bio": NUL}}, "bio"),
        ("post", "articles:list", {"article": {"title": NUL, "description": "d", "body": "b"}}, "title"),
        (
            "post",
            "articles:list",
            {"article": {"title": "t", "description": "d", "body": "b", "tagList": [NUL]}},
            "tagList",
        ),
    ],
)
def test_nul_characters_in_a_body_are_422(auth_client, method, url_name, body, field):
    assert_error(getattr(auth_client, method)(api_url(url_name), body), 422, field)


@pytest.mark.parametrize("param", ["tag", "author", "favorited"])
def test_nul_characters_in_a_filter_are_422(api_client, param):
    assert_error(api_client.get(api_url("articles:list"), {param: NUL}), 422, param)


@pytest.mark.parametrize("path", ["articles/a%00b", "profiles/a%00b", "articles/a%00b/comments"])
def test_nul_characters_in_a_path_are_404(api_client, path):
    assert_error(api_client.get(f"/api/{path}"), 404, "resource", "not found")


def test_a_comment_on_an_article_with_nul_is_422(auth_client):
    url = api_url("comments:list", slug=ArticleFactory().slug)
    assert_error(auth_client.post(url, {"comment": {"body": NUL}}), 422, "body")


def test_an_unsupported_method_is_405_in_the_envelope(auth_client):
    assert_error(auth_client.patch(api_url("articles:detail", slug=ArticleFactory().slug), {}), 405, "method")


def test_a_client_that_accepts_no_json_gets_406_in_the_envelope(api_client):
    assert_error(api_client.get(api_url("tags:list"), HTTP_ACCEPT="text/html"), 406, "request")
