import pytest
from django.utils import timezone

from apps.notifications.models import Notification, NotificationKind
from tests.conftest import client_for
from tests.factories import ArticleFactory, CommentFactory, FollowFactory, UserFactory
from tests.helpers import TIMESTAMP, api_url, assert_error

pytestmark = pytest.mark.django_db

LIST = "notifications:list"


def notify(recipient, *, kind=NotificationKind.ARTICLE_PUBLISHED, **fields):
    article = fields.pop("article", None) or ArticleFactory()
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        source=fields.pop("source", f"{article.pk}"),
        actor=fields.pop("actor", article.author),
        article=article,
        **fields,
    )


def test_notifications_need_a_token(api_client):
    for name in (LIST, "notifications:unread-count", "notifications:preferences"):
        assert_error(api_client.get(api_url(name)), 401, "token")
    assert_error(api_client.post(api_url("notifications:read-all")), 401, "token")


def test_notification_list_shows_the_users_notifications_newest_first(auth_client, user):
    author = UserFactory(username="writer", image="https://example.com/w.png")
    article = ArticleFactory(author=author, title="Title", slug="title")
    comment = CommentFactory(article=article, author=author, body="First!")
    older = notify(user, article=article)
    newer = notify(user, kind=NotificationKind.ARTICLE_COMMENTED, article=article, comment=comment, source="c")
    notify(UserFactory())  # someone else's

    response = auth_client.get(api_url(LIST))

    assert response.status_code == 200
    body = response.json()
    assert body["nextCursor"] is None
    assert [n["id"] for n in body["notifications"]] == [newer.pk, older.pk]
    first = body["notifications"][0]
    assert set(first) == {"id", "kind", "createdAt", "readAt", "actor", "article", "comment"}
    assert first["kind"] == "article_commented"
    assert TIMESTAMP.match(first["createdAt"])
    assert first["readAt"] is None
    assert first["actor"] == {"username": "writer", "image": "https://example.com/w.png"}
    assert first["article"] == {"slug": "title", "title": "Title"}
    assert first["comment"] == {"id": comment.pk, "body": "First!"}
    assert body["notifications"][1]["comment"] is None


def test_notification_list_pages_with_a_cursor(auth_client, user):
    notifications = [notify(user) for _ in range(5)]
    newest_first = [n.pk for n in reversed(notifications)]

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = auth_client.get(api_url(LIST), params).json()
        seen += [n["id"] for n in body["notifications"]]
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            break
        notify(user)  # a new notification does not shift the next pages

    assert seen == newest_first
    assert pages == 3


@pytest.mark.parametrize("cursor", ["nope", "bjA", "bi0x", "x" * 65, "%00"])
def test_notification_list_rejects_a_bad_cursor(auth_client, cursor):
    assert_error(auth_client.get(api_url(LIST), {"cursor": cursor}), 422, "cursor")


def test_notification_list_caps_the_limit(auth_client, user):
    for _ in range(3):
        notify(user)
    assert len(auth_client.get(api_url(LIST), {"limit": 1000}).json()["notifications"]) == 3
    assert_error(auth_client.get(api_url(LIST), {"limit": 0}), 422, "limit")


def test_unread_count_and_marking_read(auth_client, user):
    first, second = notify(user), notify(user)
    notify(user, read_at=timezone.now())
    notify(UserFactory())
    assert auth_client.get(api_url("notifications:unread-count")).json() == {"unreadCount": 2}

    response = auth_client.post(api_url("notifications:read", notification_id=first.pk))
    assert response.status_code == 200
    assert response.json()["notification"]["id"] == first.pk
    assert TIMESTAMP.match(response.json()["notification"]["readAt"])
    assert auth_client.get(api_url("notifications:unread-count")).json() == {"unreadCount": 1}

    response = auth_client.post(api_url("notifications:read-all"))
    assert response.status_code == 200
    assert response.json() == {"unreadCount": 0}
    second.refresh_from_db()
    assert second.read_at is not None


def test_unread_count_is_revalidated_with_its_etag(auth_client, user):
    """A poll with the last ETag is answered 304 without a body until the count changes. Ref: #14"""
    first = notify(user)
    response = auth_client.get(api_url("notifications:unread-count"))
    etag = response["ETag"]
    assert response.json() == {"unreadCount": 1}
    assert "private" in response["Cache-Control"]

    response = auth_client.get(api_url("notifications:unread-count"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert not response.content

    auth_client.post(api_url("notifications:read", notification_id=first.pk))
    response = auth_client.get(api_url("notifications:unread-count"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json() == {"unreadCount": 0}
    assert response["ETag"] != etag


def test_only_the_owner_can_mark_a_notification_read(auth_client):
    theirs = notify(UserFactory())
    assert_error(auth_client.post(api_url("notifications:read", notification_id=theirs.pk)), 404, "notification")
    assert_error(auth_client.post(api_url("notifications:read", notification_id=999999)), 404, "notification")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_email_preferences_are_off_by_default_and_can_be_changed(auth_client, user):
    url = api_url("notifications:preferences")
    assert auth_client.get(url).json() == {"preferences": {"emailNotifications": False}}

    response = auth_client.put(url, {"preferences": {"emailNotifications": True}})

    assert response.status_code == 200
    assert response.json() == {"preferences": {"emailNotifications": True}}
    user.refresh_from_db()
    assert user.email_notifications is True
    assert_error(auth_client.put(url, {"preferences": {}}), 422, "emailNotifications")


def test_the_realworld_user_shape_does_not_show_the_preference(auth_client):
    user = auth_client.get(api_url("users:current")).json()["user"]
    assert set(user) == {"email", "token", "username", "bio", "image"}


def test_a_follower_finds_the_new_article_in_their_notifications(django_capture_on_commit_callbacks):
    author, follower = UserFactory(username="writer"), UserFactory()
    FollowFactory(follower=follower, followee=author)
    payload = {"article": {"title": "Fresh", "description": "d", "body": "b", "tagList": []}}

    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(author).post(api_url("articles:list"), payload).status_code == 201

    body = client_for(follower).get(api_url(LIST)).json()
    assert [(n["kind"], n["actor"]["username"], n["article"]["slug"]) for n in body["notifications"]] == [
        ("article_published", "writer", "fresh")
    ]
    assert client_for(author).get(api_url(LIST)).json()["notifications"] == []
