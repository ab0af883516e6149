from datetime import timedelta
from smtplib import SMTPRecipientsRefused
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.articles.services import article_create, article_favorite, article_unfavorite
from apps.comments.services import comment_create
from apps.notifications.models import Notification, NotificationKind, OutgoingEmail
from apps.notifications.services import (
    email_requeue_unsent,
    email_send_many,
    notification_article_commented,
    notification_article_published_chunk,
    notification_article_published_fanout,
    notification_mark_all_read,
    notification_mark_read,
    notification_purge_read,
    notification_welcome_email,
)
from apps.outbox.models import OutboxMessage
from apps.outbox.services import outbox_relay, reset_broker_breaker
from apps.users.services import user_register
from tests.celery_helpers import nudge_grace_over
from tests.factories import ArticleFactory, CommentFactory, FollowFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_followers(author, count, *, opted_in=0):
    followers = [UserFactory(email_notifications=index < opted_in) for index in range(count)]
    for follower in followers:
        FollowFactory(follower=follower, followee=author)
    return followers


def publish(author, title="Hello"):
    return article_create(author=author, title=title, description="d", body="b", tag_list=[])


# ------------------------------------------------------------------------------
# Publishing: fan-out to every follower
# ------------------------------------------------------------------------------
def test_publishing_notifies_every_follower_once_through_chunks(settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_FANOUT_CHUNK_SIZE = 2
    author = UserFactory()
    followers = make_followers(author, 5)
    UserFactory()  # not a follower

    with django_capture_on_commit_callbacks(execute=True):
        article = publish(author)

    notifications = Notification.objects.filter(kind=NotificationKind.ARTICLE_PUBLISHED)
    assert sorted(notifications.values_list("recipient_id", flat=True)) == sorted(f.pk for f in followers)
    assert set(notifications.values_list("article_id", "actor_id")) == {(article.pk, author.pk)}
    chunks = OutboxMessage.objects.filter(task="notifications.article_published_chunk")
    assert [len(m.kwargs["recipient_ids"]) for m in chunks.order_by("pk")] == [2, 2, 1]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_the_fan_out_and_its_chunks_can_run_again_without_doubling(settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_FANOUT_CHUNK_SIZE = 2
    author = UserFactory()
    followers = make_followers(author, 3, opted_in=3)
    with django_capture_on_commit_callbacks(execute=True):
        article = publish(author)
    assert len(mail.outbox) == 3

    # A redelivered fan-out finds its chunks enqueued already; a redelivered chunk inserts nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_article_published_fanout(article_id=article.pk) == 2
        notification_article_published_chunk(article_id=article.pk, recipient_ids=[f.pk for f in followers])
    assert OutboxMessage.objects.filter(task="notifications.article_published_chunk").count() == 2
    assert Notification.objects.count() == 3
    assert OutgoingEmail.objects.count() == 3
    assert len(mail.outbox) == 3


def test_only_followers_who_opted_in_get_an_email(django_capture_on_commit_callbacks):
    author = UserFactory(username="writer")
    followers = make_followers(author, 4, opted_in=2)
    with django_capture_on_commit_callbacks(execute=True):
        publish(author, title="Big news")
    assert sorted(message.to[0] for message in mail.outbox) == sorted(f.email for f in followers[:2])
    message = mail.outbox[0]
    assert message.subject == 'writer published "Big news"'
    assert "http://localhost:5173/article/big-news" in message.body
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()


def test_a_chunk_skips_users_who_stopped_following_or_were_deleted(django_capture_on_commit_callbacks):
    author = UserFactory()
    stays, leaves, deleted = make_followers(author, 3)
    article = ArticleFactory(author=author)
    leaves.following_links.all().delete()
    ids = [stays.pk, leaves.pk, deleted.pk]
    deleted.delete()
    assert notification_article_published_chunk(article_id=article.pk, recipient_ids=ids) == 1
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [stays.pk]


def test_a_fan_out_of_a_deleted_article_does_nothing():
    assert notification_article_published_fanout(article_id=123456) == 0
    assert notification_article_published_chunk(article_id=123456, recipient_ids=[1]) == 0


def test_publishing_costs_the_request_the_same_queries_whatever_the_number_of_followers(
    dead_broker, django_capture_on_commit_callbacks
):
    def queries_to_publish(author, title):
        reset_broker_breaker()  # each request tries the broker
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            publish(author, title=title)
        return len(queries)

    lonely, popular = UserFactory(), UserFactory()
    make_followers(popular, 50)
    assert queries_to_publish(lonely, "one") == queries_to_publish(popular, "two")
    assert Notification.objects.count() == 0  # the work waits for a worker


# ------------------------------------------------------------------------------
# Comments and favorites notify the author
# ------------------------------------------------------------------------------
def test_a_comment_notifies_the_author_once(django_capture_on_commit_callbacks):
    author = UserFactory(email_notifications=True)
    reader = UserFactory()
    article = ArticleFactory(author=author)
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_create(article=article, author=reader, body="Nice")
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.actor, notification.comment) == (
        author,
        NotificationKind.ARTICLE_COMMENTED,
        reader,
        comment,
    )
    assert notification_article_commented(comment_id=comment.pk) is True  # a redelivery
    assert Notification.objects.count() == 1
    assert [message.to for message in mail.outbox] == [[author.email]]
    assert "Nice" in mail.outbox[0].body


def test_commenting_on_your_own_article_notifies_no_one(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(article=article, author=article.author, body="Addendum")
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    comment = CommentFactory(article=article, author=article.author)
    assert notification_article_commented(comment_id=comment.pk) is False


def test_a_favorite_notifies_the_author_once_however_often_it_is_repeated(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    fan = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        article_favorite(user=fan, slug=article.slug)
        article_unfavorite(user=fan, slug=article.slug)
        article_favorite(user=fan, slug=article.slug)
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.actor) == (
        article.author,
        NotificationKind.ARTICLE_FAVORITED,
        fan,
    )


def test_favoriting_your_own_article_notifies_no_one(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True):
        article_favorite(user=article.author, slug=article.slug)
    assert not Notification.objects.exists()


def test_a_favorite_undone_before_the_task_runs_notifies_no_one(django_capture_on_commit_callbacks):
    article = ArticleFactory()
    fan = UserFactory()
    article_favorite(user=fan, slug=article.slug)  # its task is not run: no callbacks executed
    article_unfavorite(user=fan, slug=article.slug)
    nudge_grace_over()
    assert outbox_relay().sent == 1
    assert not Notification.objects.exists()


# ------------------------------------------------------------------------------
# E-mail
# ------------------------------------------------------------------------------
def test_sign_up_sends_one_welcome_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = user_register(username="newbie", email="newbie@example.com", password="password123")
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["newbie@example.com"], "Welcome to Conduit, newbie")
    ]
    assert notification_welcome_email(user_id=user.pk) is False  # a redelivery sends nothing
    assert len(mail.outbox) == 1


def test_an_email_is_sent_once_whatever_the_number_of_send_tasks():
    user = UserFactory()
    email = OutgoingEmail.objects.create(key="k", recipient=user, to=user.email, subject="s", body="b")
    assert email_send_many(email_ids=[email.pk, email.pk]) == 1
    assert email_send_many(email_ids=[email.pk]) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<conduit.{email.pk}.")


def test_a_refused_address_is_recorded_and_does_not_block_the_others():
    user = UserFactory()
    refused = OutgoingEmail.objects.create(key="a", recipient=user, to="bad@example.com", subject="s", body="b")
    fine = OutgoingEmail.objects.create(key="b", recipient=user, to=user.email, subject="s", body="b")
    real_send = mail.EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == ["bad@example.com"]:
            raise SMTPRecipientsRefused({"bad@example.com": (550, b"no such user")})
        return real_send(message, *args, **kwargs)

    with mock.patch.object(mail.EmailMessage, "send", send):
        assert email_send_many(email_ids=[refused.pk, fine.pk]) == 1
    refused.refresh_from_db()
    assert (refused.sent_at, refused.attempts) == (None, 1)
    assert "SMTPRecipientsRefused" in refused.last_error


def test_a_transient_smtp_error_propagates_for_the_task_to_retry():
    user = UserFactory()
    email = OutgoingEmail.objects.create(key="k", recipient=user, to=user.email, subject="s", body="b")
    with mock.patch.object(mail.EmailMessage, "send", side_effect=ConnectionRefusedError), pytest.raises(OSError):
        email_send_many(email_ids=[email.pk])
    email.refresh_from_db()
    assert email.sent_at is None


def test_email_requeue_unsent_enqueues_only_stale_unsent_emails(django_capture_on_commit_callbacks):
    user = UserFactory()
    old = timezone.now() - timedelta(hours=1)

    def email(key, **fields):
        return OutgoingEmail.objects.create(key=key, recipient=user, to=user.email, subject="s", body="b", **fields)

    stale = email("stale", created_at=old)
    email("fresh")
    email("sent", created_at=old, sent_at=old)
    email("hopeless", created_at=old, attempts=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert email_requeue_unsent() == 1
    stale.refresh_from_db()
    assert stale.sent_at is not None
    assert len(mail.outbox) == 1


# ------------------------------------------------------------------------------
# Reading and housekeeping
# ------------------------------------------------------------------------------
def make_notification(recipient, **fields):
    article = fields.pop("article", None) or ArticleFactory()
    return Notification.objects.create(
        recipient=recipient,
        kind=NotificationKind.ARTICLE_PUBLISHED,
        source=str(article.pk),
        actor=article.author,
        article=article,
        **fields,
    )


def test_notification_mark_read_keeps_the_first_read_time():
    notification = make_notification(UserFactory())
    first = notification_mark_read(notification=notification).read_at
    assert first is not None
    notification.refresh_from_db()
    assert notification_mark_read(notification=notification).read_at == first


def test_notification_mark_all_read_marks_only_the_users_unread_ones():
    user, other = UserFactory(), UserFactory()
    make_notification(user)
    make_notification(user, read_at=timezone.now())
    make_notification(other)
    assert notification_mark_all_read(user=user) == 1
    assert Notification.objects.filter(read_at__isnull=True).get().recipient == other


def test_notification_purge_read_deletes_only_old_read_notifications():
    user = UserFactory()
    now = timezone.now()
    old_read = make_notification(user, read_at=now - timedelta(days=31))
    recent_read = make_notification(user, read_at=now - timedelta(days=1))
    old_unread = make_notification(user, created_at=now - timedelta(days=90))
    assert notification_purge_read() == 1
    remaining = set(Notification.objects.values_list("pk", flat=True))
    assert remaining == {recent_read.pk, old_unread.pk}
    assert old_read.pk not in remaining
