"""Small helpers shared by the API tests: URLs, expected shapes and error assertions."""

import re
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from apps.users.models import User
from tests.client import APIClient

if TYPE_CHECKING:
    from rest_framework.response import _MonkeyPatchedResponse as Response  # the test client's response, with .json()

# RealWorld timestamps: UTC, fixed microseconds, a literal Z (the legacy suite requires the fraction).
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")

ARTICLE_KEYS = {
    "slug",
    "title",
    "description",
    "body",
    "tagList",
    "createdAt",
    "updatedAt",
    "favorited",
    "favoritesCount",
    "author",
}
LIST_ITEM_KEYS = ARTICLE_KEYS - {"body"}
COMMENT_KEYS = {"id", "createdAt", "updatedAt", "body", "author"}

MISSING = "<missing>"  # a field value meaning "leave the field out"
BLANK_VALUES = ["", None, MISSING]  # what "can't be blank" covers (text fields trim spaces, passwords don't)


def api_url(name: str, **kwargs: Any) -> str:
    """The versioned URL of a named route (`articles:detail`, slug=...)."""
    return reverse(name, kwargs={"version": "v1", **kwargs})


def with_field(payload: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """A copy of `payload` with `field` set to `value`, or left out when `value` is MISSING."""
    changed = {**payload, field: value}
    if value == MISSING:
        del changed[field]
    return changed


def profile_of(user: User, *, following: bool = False) -> dict[str, Any]:
    return {"username": user.username, "bio": user.bio, "image": user.image, "following": following}


def page_summary(body: dict[str, Any]) -> tuple[list[str], int]:
    """The slugs and `articlesCount` of a list response (keys beyond RealWorld's, like a cursor, are ignored)."""
    return [item["slug"] for item in body["articles"]], body["articlesCount"]


def assert_error(response: "Response", status_code: int, field: str, message: str | None = None) -> None:
    """The response is `status_code` in the error envelope, about `field` (with exactly `message`, if given)."""
    assert response.status_code == status_code, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    if message is not None:
        assert errors == {field: [message]}


def assert_blank(response: "Response", *fields: str) -> None:
    """A 422 naming exactly `fields`, each "can't be blank"."""
    assert response.status_code == 422, response.content
    assert response.json() == {"errors": {field: ["can't be blank"] for field in fields}}


def assert_post_rejects_blank(
    client: APIClient, url: str, envelope: str, payload: dict[str, Any], field: str, value: Any
) -> None:
    """POSTing `payload` with `field` blanked (set to `value`, or left out) is a 422 "can't be blank"."""
    assert_blank(client.post(url, {envelope: with_field(payload, field, value)}), field)


def assert_timestamps(item: dict[str, Any]) -> None:
    assert TIMESTAMP.match(item["createdAt"]), item["createdAt"]
    assert TIMESTAMP.match(item["updatedAt"]), item["updatedAt"]
