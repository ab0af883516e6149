"""
Notifications and e-mails (docs/tasks.md).

The other apps' services call the hooks of apps.notifications.hooks, inside their own transactions:
each writes one outbox row (apps.outbox), published after commit. The tasks then call the
`notification_*` / `email_*` services below, which are idempotent: notifications and e-mails are
rows with unique keys, inserted with ON CONFLICT DO NOTHING, so a task that runs twice (a redelivery
after a worker died, a retry) changes nothing the second time.
"""

import logging
from collections.abc import Iterable, Iterator
from datetime import timedelta
from smtplib import SMTPRecipientsRefused, SMTPSenderRefused
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from apps.articles.models import Article, Favorite
from apps.comments.models import Comment
from apps.notifications.hooks import CHUNK_TASK, EMAIL_SEND_TASK
from apps.notifications.models import Notification, NotificationKind, OutgoingEmail
from apps.outbox.services import outbox_enqueue, outbox_publish_now
from apps.profiles.models import Follow
from apps.users.models import User

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Errors that retrying cannot fix: the mail is given up after EMAIL_MAX_ATTEMPTS of them.
PERMANENT_EMAIL_ERRORS = (SMTPRecipientsRefused, SMTPSenderRefused, ValueError)
EMAIL_MAX_ATTEMPTS = 5
# An unsent e-mail older than this is queued again by the sweeper (its task was lost or gave up).
EMAIL_REQUEUE_AFTER = timedelta(minutes=15)
PURGE_BATCH_SIZE = 1000


# ------------------------------------------------------------------------------
# Task bodies: idempotent
# ------------------------------------------------------------------------------
def notification_article_published_fanout(*, article_id: int) -> int:
    """
    Splits the followers of the article's author into chunks of NOTIFICATIONS_FANOUT_CHUNK_SIZE and
    enqueues one chunk task each, all in one transaction; returns the number of chunks.

    Memory stays bounded by the chunk size (the ids are streamed from a server-side cursor); the
    request that published the article only wrote one outbox row. A run that dies leaves nothing
    behind, and a second complete run finds every chunk's dedup key taken.
    """
    author_id = Article.objects.filter(pk=article_id).values_list("author_id", flat=True).first()
    if author_id is None:
        return 0  # deleted since
    chunk_size = settings.NOTIFICATIONS_FANOUT_CHUNK_SIZE
    followers = Follow.objects.filter(followee_id=author_id).order_by("follower_id")
    message_ids: list[int] = []
    chunks = 0
    with transaction.atomic():
        follower_ids = followers.values_list("follower_id", flat=True).iterator(chunk_size=chunk_size)
        for index, recipient_ids in enumerate(_batched(follower_ids, chunk_size)):
            chunks += 1
            message = outbox_enqueue(
                task=CHUNK_TASK,
                kwargs={"article_id": article_id, "recipient_ids": recipient_ids},
                dedup_key=f"article_published:{article_id}:{index}",
                nudge=False,
            )
            if message is not None:
                message_ids.append(message.pk)
        # One publish pass for all the chunks, rather than one per chunk.
        if message_ids:
            transaction.on_commit(lambda: outbox_publish_now(message_ids=message_ids), robust=True)
    logger.info("article %s: %s follower chunk(s) enqueued", article_id, chunks)
    return chunks


@transaction.atomic
def notification_article_published_chunk(*, article_id: int, recipient_ids: list[int]) -> int:
    """Notifies these followers of the article's author (those who still follow); returns how many."""
    article = Article.objects.select_related("author").filter(pk=article_id).first()
    if article is None:
        return 0
    # Still existing, still following: a follower who left since is skipped (and no FK can fail).
    recipients = list(
        User.objects.filter(pk__in=recipient_ids, following_links__followee_id=article.author_id).only(
            "id", "username", "email", "email_notifications"
        )
    )
    kind, author = NotificationKind.ARTICLE_PUBLISHED, article.author
    Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=kind, source=str(article.pk), actor=author, article=article)
            for user in recipients
        ],
        ignore_conflicts=True,
    )
    _emails_queue(
        [
            _email(kind=kind, key=f"{kind}:{article.pk}:{user.pk}", recipient=user, actor=author, article=article)
            for user in recipients
            if user.email_notifications
        ]
    )
    return len(recipients)


@transaction.atomic
def notification_article_commented(*, comment_id: int) -> bool:
    """Notifies the article's author of comment `comment_id`; False when there is no one to notify."""
    comment = Comment.objects.select_related("article__author", "author").filter(pk=comment_id).first()
    if comment is None or comment.author_id == comment.article.author_id:
        return False
    _notify(
        kind=NotificationKind.ARTICLE_COMMENTED,
        source=str(comment.pk),
        recipient=comment.article.author,
        actor=comment.author,
        article=comment.article,
        comment=comment,
    )
    return True


@transaction.atomic
def notification_article_favorited(*, article_id: int, user_id: int) -> bool:
    """Notifies the author that `user_id` favorited the article, if they still do; False otherwise."""
    favorites = Favorite.objects.select_related("article__author", "user")
    favorite = favorites.filter(article_id=article_id, user_id=user_id).first()
    if favorite is None or favorite.user_id == favorite.article.author_id:
        return False
    _notify(
        kind=NotificationKind.ARTICLE_FAVORITED,
        source=f"{article_id}:{user_id}",
        recipient=favorite.article.author,
        actor=favorite.user,
        article=favorite.article,
    )
    return True


def notification_welcome_email(*, user_id: int) -> bool:
    """Sends user `user_id` the welcome e-mail unless it was sent already; True when this call sent it."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return False
    with transaction.atomic():
        OutgoingEmail.objects.bulk_create(
            [
                OutgoingEmail(
                    key=f"welcome:{user.pk}",
                    recipient=user,
                    to=user.email,
                    subject=f"Welcome to Conduit, {user.username}",
                    body=render_to_string("notifications/email/welcome.txt", _email_context(recipient=user)),
                )
            ],
            ignore_conflicts=True,
        )
        # Inside the transaction, so on the primary: a replica may not have the row just written yet
        # (the cluster's worker found none there, and the task failed).
        email_id = OutgoingEmail.objects.filter(key=f"welcome:{user.pk}").values_list("pk", flat=True).get()
    return email_send_many(email_ids=[email_id]) == 1


def _notify(
    *, kind: str, source: str, recipient: User, actor: User, article: Article, comment: Comment | None = None
) -> None:
    Notification.objects.bulk_create(
        [Notification(recipient=recipient, kind=kind, source=source, actor=actor, article=article, comment=comment)],
        ignore_conflicts=True,
    )
    if recipient.email_notifications:
        key = f"{kind}:{source}"
        _emails_queue([_email(kind=kind, key=key, recipient=recipient, actor=actor, article=article, comment=comment)])


# ------------------------------------------------------------------------------
# E-mail
# ------------------------------------------------------------------------------
SUBJECTS = {
    NotificationKind.ARTICLE_PUBLISHED: '{actor} published "{title}"',
    NotificationKind.ARTICLE_COMMENTED: '{actor} commented on "{title}"',
    NotificationKind.ARTICLE_FAVORITED: '{actor} favorited "{title}"',
}


def _email(
    *, kind: str, key: str, recipient: User, actor: User, article: Article, comment: Comment | None = None
) -> OutgoingEmail:
    context = _email_context(recipient=recipient, actor=actor, article=article, comment=comment)
    return OutgoingEmail(
        key=key,
        recipient=recipient,
        to=recipient.email,
        subject=SUBJECTS[NotificationKind(kind)].format(actor=actor.username, title=article.title)[:255],
        body=render_to_string(f"notifications/email/{kind}.txt", context),
    )


def _email_context(**objects: Any) -> dict[str, Any]:
    site_url = settings.SITE_URL.rstrip("/")
    article = objects.get("article")
    return {**objects, "site_url": site_url, "article_url": f"{site_url}/article/{article.slug}" if article else None}


def _emails_queue(emails: list[OutgoingEmail]) -> None:
    """Stores the e-mails not stored yet (by key) and enqueues one send task for those still unsent."""
    if not emails:
        return
    OutgoingEmail.objects.bulk_create(emails, ignore_conflicts=True)
    unsent = OutgoingEmail.objects.filter(key__in=[email.key for email in emails], sent_at__isnull=True)
    email_ids = list(unsent.values_list("pk", flat=True))
    if email_ids:
        outbox_enqueue(task=EMAIL_SEND_TASK, kwargs={"email_ids": email_ids})


def email_send_many(*, email_ids: list[int]) -> int:
    """
    Sends these e-mails over one connection, skipping those already sent; returns how many this call
    sent. A permanent refusal is recorded on the e-mail and skipped; any other error propagates, so
    that the task retries (what was sent before it is not sent again).
    """
    sent = 0
    connection = get_connection()
    with connection:
        for email_id in email_ids:
            try:
                sent += email_send(email_id=email_id, connection=connection)
            except PERMANENT_EMAIL_ERRORS as exc:
                logger.warning("e-mail %s refused: %s", email_id, exc)
                OutgoingEmail.objects.filter(pk=email_id).update(
                    attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
                )
    return sent


@transaction.atomic
def email_send(*, email_id: int, connection: BaseEmailBackend | None = None) -> bool:
    """
    Sends e-mail `email_id` unless it was sent already; True when this call sent it.

    The row stays locked while the mail goes out, and is marked sent in the same transaction; a
    concurrent sender skips it (SKIP LOCKED) rather than sending it a second time.
    """
    email = OutgoingEmail.objects.select_for_update(skip_locked=True).filter(pk=email_id, sent_at__isnull=True).first()
    if email is None:
        return False
    message = EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        connection=connection,
        # Stable across retries, so that a receiving server can drop a duplicate.
        headers={"Message-ID": f"<conduit.{email.pk}.{int(email.created_at.timestamp())}@{DNS_NAME}>"},
    )
    message.send()
    email.sent_at = timezone.now()
    email.save(update_fields=["sent_at"])
    return True


@transaction.atomic
def email_requeue_unsent(*, older_than: timedelta = EMAIL_REQUEUE_AFTER, limit: int = 1000) -> int:
    """Enqueues a send task for e-mails left unsent for longer than `older_than` (lost or given-up tasks)."""
    cutoff = timezone.now() - older_than
    stale = OutgoingEmail.objects.filter(sent_at__isnull=True, created_at__lt=cutoff, attempts__lt=EMAIL_MAX_ATTEMPTS)
    email_ids = list(stale.order_by("created_at").values_list("pk", flat=True)[:limit])
    if email_ids:
        outbox_enqueue(task=EMAIL_SEND_TASK, kwargs={"email_ids": email_ids})
    return len(email_ids)


# ------------------------------------------------------------------------------
# The reader's actions
# ------------------------------------------------------------------------------
@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    """Marks the notification read (idempotent: the first read time is kept)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    """Marks every unread notification of `user` read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_update(*, user: User, email_notifications: bool) -> User:
    """Turns e-mail notifications on or off for `user` (the welcome e-mail is always sent)."""
    user.email_notifications = email_notifications
    user.save(update_fields=["email_notifications"])
    return user


# ------------------------------------------------------------------------------
# Housekeeping
# ------------------------------------------------------------------------------
def notification_purge_read(*, older_than: timedelta | None = None) -> int:
    """Deletes notifications read more than NOTIFICATIONS_READ_RETENTION_DAYS ago, in small batches."""
    cutoff = timezone.now() - (older_than or timedelta(days=settings.NOTIFICATIONS_READ_RETENTION_DAYS))
    return _delete_in_batches(Notification.objects.filter(read_at__lt=cutoff))


def email_purge_sent(*, older_than: timedelta | None = None) -> int:
    """Deletes e-mails sent more than NOTIFICATIONS_READ_RETENTION_DAYS ago (their keys are spent)."""
    cutoff = timezone.now() - (older_than or timedelta(days=settings.NOTIFICATIONS_READ_RETENTION_DAYS))
    return _delete_in_batches(OutgoingEmail.objects.filter(sent_at__lt=cutoff))


def _delete_in_batches(rows: QuerySet[Any]) -> int:
    """Deletes `rows` a batch of ids at a time: short transactions, short locks."""
    deleted = 0
    while True:
        ids = list(rows.values_list("pk", flat=True)[:PURGE_BATCH_SIZE])
        if not ids:
            return deleted
        with transaction.atomic():
            deleted += rows.model.objects.filter(pk__in=ids).delete()[0]


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
