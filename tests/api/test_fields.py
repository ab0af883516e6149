"""
Request bodies take the JSON types openapi.yaml states, and an empty query parameter means "absent".
Both were API fuzzing findings (schemathesis' negative_data_rejection, docs/fuzzing.md).
"""

import pytest
from rest_framework import serializers

from apps.api.fields import StrictBooleanField, StrictCharField, StrictEmailField
from tests.factories import ArticleFactory
from tests.helpers import api_url, assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [0, 1.5, True, ["a"], {"a": 1}])
def test_strict_char_field_refuses_what_is_not_a_string(value):
    with pytest.raises(serializers.ValidationError, match="must be a string"):
        StrictCharField().run_validation(value)


def test_strict_char_field_keeps_char_field_rules():
    assert StrictCharField().run_validation("  text ") == "text"
    assert StrictCharField(allow_null=True).run_validation(None) is None
    with pytest.raises(serializers.ValidationError):
        StrictCharField().run_validation("")


def test_strict_email_field_refuses_a_number_and_takes_an_address():
    with pytest.raises(serializers.ValidationError):
        StrictEmailField().run_validation(12)
    assert StrictEmailField().run_validation("a@example.com") == "a@example.com"


@pytest.mark.parametrize("value", ["true", "false", 0, 1, "yes", None])
def test_strict_boolean_field_takes_only_true_and_false(value):
    with pytest.raises(serializers.ValidationError):
        StrictBooleanField().run_validation(value)


def test_strict_boolean_field_takes_json_booleans():
    assert StrictBooleanField().run_validation(True) is True
    assert StrictBooleanField().run_validation(False) is False


# Ref: #6 (fuzzing)
def test_register_with_a_number_as_username_is_422(api_client):
    body = {"user": {"username": 0, "email": "zero@example.com", "password": "password123"}}
    assert_error(api_client.post(api_url("users:register"), body), 422, "username", "must be a string")


def test_article_with_a_number_in_tag_list_is_422(auth_client):
    body = {"article": {"title": "t", "description": "d", "body": "b", "tagList": ["ok", 7]}}
    assert_error(auth_client.post(api_url("articles:list"), body), 422, "tagList", "must be a string")


def test_comment_with_a_number_as_body_is_422(auth_client):
    url = api_url("comments:list", slug=ArticleFactory().slug)
    assert_error(auth_client.post(url, {"comment": {"body": 42}}), 422, "body", "must be a string")


def test_notification_preferences_take_only_a_json_boolean(auth_client):
    url = api_url("notifications:preferences")
    body = {"preferences": {"emailNotifications": "true"}}
    assert_error(auth_client.put(url, body), 422, "emailNotifications", "must be true or false")
    response = auth_client.put(url, {"preferences": {"emailNotifications": True}})
    assert response.status_code == 200
    assert response.json() == {"preferences": {"emailNotifications": True}}


@pytest.mark.parametrize("query", ["tag=", "author=", "favorited=", "cursor=", "tag=&cursor="])
def test_an_empty_article_filter_is_no_filter(api_client, query):
    ArticleFactory.create_batch(2)
    response = api_client.get(f"{api_url('articles:list')}?{query}")
    assert response.status_code == 200
    assert response.json()["articlesCount"] == 2


def test_an_empty_cursor_is_the_first_page_of_the_feed_and_notifications(auth_client):
    for name in ("feeds:feed", "notifications:list"):
        response = auth_client.get(f"{api_url(name)}?cursor=")
        assert response.status_code == 200, name
