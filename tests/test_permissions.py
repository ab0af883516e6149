"""
The permission matrix of every write (and signed-in-only) endpoint: anonymous, another user, owner.
Anonymous callers get 401 everywhere; another user gets 403 where ownership applies (404 for
notifications, which others may not even know exist); the owner gets the 2xx.

Also the order of the checks the RealWorld suite relies on: authentication (401), then existence
(404), then ownership (403), then the request body (415/422).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from apps.articles.models import Article
from apps.comments.models import Comment
from apps.notifications.models import Notification, NotificationKind
from apps.users.models import User
from tests.client import APIClient
from tests.conftest import client_for
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.helpers import api_url, assert_error

pytestmark = pytest.mark.django_db

MISSING_SLUG = "no-such-article"
MISSING_ID = 999_999_999


@dataclass(frozen=True)
class Endpoint:
    method: str
    url_name: str
    body: dict[str, Any] | None = None
    other_status: int = 200  # what another signed-in user gets
    owner_status: int = 200  # what the owner of the resource gets
    owned: str | None = None  # the resource only its author may change (403 for others)
    hidden: str | None = None  # the resource others cannot even see (404 for others, as if missing)
    # Unknown resources: (URL kwargs to override, the error key of the 404).
    missing: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    def call(self, client: APIClient, scene: "Scene", *, overrides: dict[str, Any] | None = None, **kwargs: Any):
        """Calls the endpoint on `scene`'s resources (or on `overrides`); `kwargs` replace the default body."""
        url_kwargs = {name: scene.url_kwargs[name] for name in URL_PARAMS[self.url_name]}
        url = api_url(self.url_name, **(url_kwargs | (overrides or {})))
        if "data" not in kwargs and self.body is not None:
            kwargs["data"] = self.body
        return getattr(client, self.method)(url, **kwargs)


URL_PARAMS = {
    "users:current": (),
    "feeds:feed": (),
    "articles:list": (),
    "profiles:follow": ("username",),
    "articles:detail": ("slug",),
    "articles:favorite": ("slug",),
    "comments:list": ("slug",),
    "comments:detail": ("slug", "comment_id"),
    "notifications:list": (),
    "notifications:unread-count": (),
    "notifications:read-all": (),
    "notifications:preferences": (),
    "notifications:read": ("notification_id",),
}
ARTICLE_MISSING = [({"slug": MISSING_SLUG}, "article")]

ENDPOINTS = {
    "GET /user": Endpoint("get", "users:current"),
    "PUT /user": Endpoint("put", "users:current", {"user": {"bio": "new bio"}}),
    "GET /articles/feed": Endpoint("get", "feeds:feed"),
    "POST /articles": Endpoint(
        "post",
        "articles:list",
        {"article": {"title": "t", "description": "d", "body": "b"}},
        other_status=201,
        owner_status=201,
    ),
    # The owner of a profile is the followed user: following yourself is refused.
    "POST /profiles/{u}/follow": Endpoint(
        "post", "profiles:follow", owner_status=422, missing=[({"username": "nobody"}, "profile")]
    ),
    "DELETE /profiles/{u}/follow": Endpoint("delete", "profiles:follow", missing=[({"username": "nobody"}, "profile")]),
    "PUT /articles/{slug}": Endpoint(
        "put",
        "articles:detail",
        {"article": {"title": "new title"}},
        other_status=403,
        owned="article",
        missing=ARTICLE_MISSING,
    ),
    "DELETE /articles/{slug}": Endpoint(
        "delete", "articles:detail", other_status=403, owner_status=204, owned="article", missing=ARTICLE_MISSING
    ),
    "POST /articles/{slug}/favorite": Endpoint("post", "articles:favorite", missing=ARTICLE_MISSING),
    "DELETE /articles/{slug}/favorite": Endpoint("delete", "articles:favorite", missing=ARTICLE_MISSING),
    "POST /articles/{slug}/comments": Endpoint(
        "post",
        "comments:list",
        {"comment": {"body": "hi"}},
        other_status=201,
        owner_status=201,
        missing=ARTICLE_MISSING,
    ),
    "DELETE /articles/{slug}/comments/{id}": Endpoint(
        "delete",
        "comments:detail",
        other_status=403,
        owner_status=204,
        owned="comment",
        missing=[({"slug": MISSING_SLUG}, "article"), ({"comment_id": MISSING_ID}, "comment")],
    ),
    # Notifications are private to their recipient (the owner here).
    "GET /notifications": Endpoint("get", "notifications:list"),
    "GET /notifications/unread-count": Endpoint("get", "notifications:unread-count"),
    "POST /notifications/read": Endpoint("post", "notifications:read-all"),
    "GET /notifications/preferences": Endpoint("get", "notifications:preferences"),
    "PUT /notifications/preferences": Endpoint(
        "put", "notifications:preferences", {"preferences": {"emailNotifications": True}}
    ),
    "POST /notifications/{id}/read": Endpoint(
        "post",
        "notifications:read",
        other_status=404,
        hidden="notification",
        missing=[({"notification_id": MISSING_ID}, "notification")],
    ),
}
WITH_RESOURCE = {name: e for name, e in ENDPOINTS.items() if e.missing}
WITH_BODY = {name: e for name, e in ENDPOINTS.items() if e.body is not None}
OWNED = {name: e for name, e in ENDPOINTS.items() if e.owned}
# Bodies that can never be valid: they must not be looked at before auth, existence and ownership.
BAD_BODIES = {
    "malformed-json": {"data": '{"oops": ', "content_type": "application/json"},
    "not-json": {"data": "a=b", "content_type": "text/plain"},
}


@dataclass
class Scene:
    owner: User
    other: User
    article: Article
    comment: Comment
    notification: Notification

    @property
    def url_kwargs(self) -> dict[str, Any]:
        return {
            "username": self.owner.username,
            "slug": self.article.slug,
            "comment_id": self.comment.pk,
            "notification_id": self.notification.pk,
        }

    def snapshot(self) -> tuple[list[Mapping[str, Any]], ...]:
        return tuple(list(model.objects.order_by("pk").values()) for model in (User, Article, Comment, Notification))


@pytest.fixture
def scene() -> Scene:
    owner, other = cast(User, UserFactory()), cast(User, UserFactory())
    article = cast(Article, ArticleFactory(author=owner))
    notification = Notification.objects.create(
        recipient=owner, kind=NotificationKind.ARTICLE_FAVORITED, source="scene", actor=other, article=article
    )
    return Scene(
        owner=owner,
        other=other,
        article=article,
        comment=cast(Comment, CommentFactory(article=article, author=owner)),
        notification=notification,
    )


def by_name(endpoints: dict[str, Endpoint]):
    return pytest.mark.parametrize("endpoint", list(endpoints.values()), ids=list(endpoints))


# ------------------------------------------------------------------------------
# The matrix
# ------------------------------------------------------------------------------
@by_name(ENDPOINTS)
def test_endpoint_refuses_anonymous_callers_and_writes_nothing(api_client, scene, endpoint):
    before = scene.snapshot()
    assert_error(endpoint.call(api_client, scene), 401, "token", "is missing")
    assert scene.snapshot() == before


@by_name(ENDPOINTS)
def test_endpoint_answers_another_user(scene, endpoint):
    before = scene.snapshot()

    response = endpoint.call(client_for(scene.other), scene)

    assert response.status_code == endpoint.other_status, response.content
    if endpoint.owned:
        assert_error(response, 403, endpoint.owned, "forbidden")
    if endpoint.hidden:
        assert_error(response, 404, endpoint.hidden, "not found")
    if endpoint.owned or endpoint.hidden:
        assert scene.snapshot() == before


@by_name(ENDPOINTS)
def test_endpoint_answers_the_owner(scene, endpoint):
    response = endpoint.call(client_for(scene.owner), scene)
    assert response.status_code == endpoint.owner_status, response.content


# ------------------------------------------------------------------------------
# Order of the checks: 401, then 404, then 403, then the body
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("bad_body", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
@by_name(WITH_RESOURCE)
def test_authentication_is_checked_before_existence_and_the_body(api_client, scene, endpoint, bad_body):
    for overrides, _ in endpoint.missing:
        response = endpoint.call(api_client, scene, overrides=overrides, **bad_body)
        assert_error(response, 401, "token", "is missing")


@pytest.mark.parametrize("bad_body", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
@by_name(WITH_RESOURCE)
def test_existence_is_checked_before_ownership_and_the_body(scene, endpoint, bad_body):
    for overrides, resource in endpoint.missing:
        response = endpoint.call(client_for(scene.other), scene, overrides=overrides, **bad_body)
        assert_error(response, 404, resource, "not found")


@pytest.mark.parametrize("bad_body", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
@by_name(OWNED)
def test_ownership_is_checked_before_the_body(scene, endpoint, bad_body):
    response = endpoint.call(client_for(scene.other), scene, **bad_body)
    assert_error(response, 403, endpoint.owned, "forbidden")


@pytest.mark.parametrize(
    ("bad_body", "status_code"),
    [(BAD_BODIES["malformed-json"], 422), (BAD_BODIES["not-json"], 415)],
    ids=list(BAD_BODIES),
)
@by_name(WITH_BODY)
def test_the_owner_gets_the_body_errors_and_nothing_is_written(scene, endpoint, bad_body, status_code):
    before = scene.snapshot()
    assert_error(endpoint.call(client_for(scene.owner), scene, **bad_body), status_code, "request")
    assert scene.snapshot() == before
