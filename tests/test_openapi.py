import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from jsonschema import Draft202012Validator

from tests.celery_helpers import eager_tasks  # noqa: F401  (fixture)
from tests.client import APIClient
from tests.conftest import client_for
from tests.factories import UserFactory

OPENAPI_FILE = Path(__file__).resolve().parent.parent / "openapi.yaml"


def test_schema_generates_without_warnings_and_matches_the_committed_file(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    assert generated.read_text() == OPENAPI_FILE.read_text(), "openapi.yaml is stale: run `make schema`"


# ------------------------------------------------------------------------------
# The bytes on the wire match openapi.yaml
# ------------------------------------------------------------------------------
def json_schema(node: Any) -> Any:
    """
    An OpenAPI 3.0 schema as a strict JSON Schema: `nullable` becomes a null alternative, and an
    object with declared properties admits no other key, so an undocumented field fails as a
    missing one does.
    """
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    schema = {key: json_schema(value) for key, value in node.items() if key != "nullable"}
    if "properties" in schema and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [{"type": "null"}, schema]}
    return schema


class WireChecker:
    """
    Makes requests by operation (`GET /articles/{slug}`) through the test client and validates
    each response against that operation's documented response for its status code.
    """

    def __init__(self) -> None:
        self.document = yaml.safe_load(OPENAPI_FILE.read_text())
        self.components = json_schema(self.document["components"])
        self.seen: set[tuple[str, str, int]] = set()

    def __call__(self, client: APIClient, method: str, template: str, status: int, **kwargs: Any) -> Any:
        params = {name: kwargs.pop(name) for name in re.findall(r"{(\w+)}", template)}
        path = "/api/v1" + template.format(**params)
        if "data" in kwargs:
            kwargs["format"] = "json"
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == status, (method, path, response.content)
        documented = self.document["paths"][template][method]["responses"]
        assert str(status) in documented, f"{method.upper()} {template}: {status} is not documented"
        content = documented[str(status)].get("content")
        if content is None:
            assert not response.content, f"{method.upper()} {template} {status}: a body where none is documented"
        else:
            body = response.json()
            schema = {"components": self.components, **json_schema(content["application/json"]["schema"])}
            errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda error: list(error.path))
            assert not errors, f"{method.upper()} {template} {status}: " + "; ".join(
                f"{'/'.join(map(str, error.path))}: {error.message}" for error in errors
            )
        self.seen.add((method, template, status))
        return response.json() if response.content else None

    def undocumented_successes(self) -> list[str]:
        """The operations of openapi.yaml whose success response no request of the test checked."""
        return [
            f"{method.upper()} {template}"
            for template, operations in self.document["paths"].items()
            for method, operation in operations.items()
            if not any(
                (method, template, int(status)) in self.seen for status in operation["responses"] if status < "3"
            )
        ]


def test_the_wire_check_fails_on_an_undocumented_missing_or_mistyped_field():
    components = json_schema(yaml.safe_load(OPENAPI_FILE.read_text())["components"])
    profile = {"components": components, "$ref": "#/components/schemas/Profile"}
    valid = {"username": "u", "bio": None, "image": None, "following": False}
    assert Draft202012Validator(profile).is_valid(valid)
    for drifted in (
        {**valid, "extra": 1},
        {**valid, "following": "no"},
        {k: v for k, v in valid.items() if k != "bio"},
    ):
        assert not Draft202012Validator(profile).is_valid(drifted)


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_every_response_matches_its_shape_in_openapi_yaml():
    check = WireChecker()
    anonymous = APIClient()
    reader = UserFactory(bio="I read.", image="https://example.com/r.png")
    signed_in = client_for(reader)

    user = check(
        anonymous,
        "post",
        "/users",
        201,
        data={"user": {"username": "writer", "email": "w@example.com", "password": "password1"}},
    )["user"]
    check(anonymous, "post", "/users/login", 200, data={"user": {"email": "w@example.com", "password": "password1"}})
    writer = APIClient()
    writer.credentials(HTTP_AUTHORIZATION=f"Token {user['token']}")
    check(writer, "get", "/user", 200)
    check(writer, "put", "/user", 200, data={"user": {"bio": "I write."}})

    # Anonymous and signed-in readers, following and favoriting or not, with and without a next page.
    check(signed_in, "post", "/profiles/{username}/follow", 200, username="writer")
    article = {"title": "One", "description": "First", "body": "Body", "tagList": ["b", "a"]}
    slug = check(writer, "post", "/articles", 201, data={"article": article})["article"]["slug"]
    check(writer, "post", "/articles", 201, data={"article": {**article, "title": "Two", "tagList": []}})
    check(writer, "put", "/articles/{slug}", 200, slug=slug, data={"article": {"body": "New body"}})
    check(signed_in, "post", "/articles/{slug}/favorite", 200, slug=slug)
    comment = check(signed_in, "post", "/articles/{slug}/comments", 201, slug=slug, data={"comment": {"body": "Hi"}})
    check(writer, "post", "/articles/{slug}/comments", 201, slug=slug, data={"comment": {"body": "Hello"}})
    for client in (anonymous, signed_in, writer):
        for query in ({}, {"limit": 1}, {"tag": "a"}, {"author": "writer"}, {"favorited": reader.username}):
            check(client, "get", "/articles", 200, data=query)
        check(client, "get", "/articles/{slug}", 200, slug=slug)
        check(client, "get", "/articles/{slug}/comments", 200, slug=slug)
        check(client, "get", "/articles/{slug}/comments", 200, slug=slug, data={"limit": 1})
        check(client, "get", "/profiles/{username}", 200, username="writer")
        check(client, "get", "/profiles/{username}", 200, username=reader.username)
        check(client, "get", "/tags", 200)
    for query in ({}, {"limit": 1}):
        check(signed_in, "get", "/articles/feed", 200, data=query)

    # Notifications: the writer's of the comment and the favorite; the reader's of the published articles.
    for client in (writer, signed_in):
        for query in ({}, {"limit": 1}):
            page = check(client, "get", "/notifications", 200, data=query)
        check(client, "get", "/notifications/unread-count", 200)
        check(client, "get", "/notifications/preferences", 200)
        check(client, "put", "/notifications/preferences", 200, data={"preferences": {"emailNotifications": True}})
    notification_id = page["notifications"][0]["id"]
    check(signed_in, "post", "/notifications/{notification_id}/read", 200, notification_id=notification_id)
    check(signed_in, "post", "/notifications/read", 200)

    # Writes that undo, and errors in the one envelope.
    check(anonymous, "get", "/articles/{slug}", 404, slug="missing")
    check(anonymous, "get", "/user", 401)
    check(anonymous, "get", "/articles", 422, data={"limit": 0})
    check(signed_in, "delete", "/articles/{slug}/favorite", 200, slug=slug)
    check(signed_in, "delete", "/profiles/{username}/follow", 200, username="writer")
    comment_id = comment["comment"]["id"]
    check(signed_in, "delete", "/articles/{slug}/comments/{comment_id}", 204, slug=slug, comment_id=comment_id)
    check(writer, "delete", "/articles/{slug}", 204, slug=slug)
    check(writer, "post", "/user/revoke-tokens", 204)

    assert not check.undocumented_successes()
