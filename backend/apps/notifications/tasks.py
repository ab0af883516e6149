"""
Notification and e-mail tasks. Each takes ids, calls one idempotent service and inherits the retry
policy of config.celery.ConduitTask; queues are routed in settings (CELERY_TASK_ROUTES).
"""

from celery import shared_task

from apps.notifications.services import (
    email_purge_sent,
    email_requeue_unsent,
    email_send_many,
    notification_article_commented,
    notification_article_favorited,
    notification_article_published_chunk,
    notification_article_published_fanout,
    notification_purge_read,
    notification_welcome_email,
)


@shared_task(name="notifications.article_published_fanout", time_limit=600, soft_time_limit=540)
def article_published_fanout(article_id: int) -> int:
    """Splits the author's followers into chunk tasks (fanout queue)."""
    return notification_article_published_fanout(article_id=article_id)


@shared_task(name="notifications.article_published_chunk", time_limit=120, soft_time_limit=100)
def article_published_chunk(article_id: int, recipient_ids: list[int]) -> int:
    """Notifies one chunk of followers (fanout queue)."""
    return notification_article_published_chunk(article_id=article_id, recipient_ids=recipient_ids)


@shared_task(name="notifications.article_commented")
def article_commented(comment_id: int) -> bool:
    return notification_article_commented(comment_id=comment_id)


@shared_task(name="notifications.article_favorited")
def article_favorited(article_id: int, user_id: int) -> bool:
    return notification_article_favorited(article_id=article_id, user_id=user_id)


@shared_task(name="notifications.welcome_email", time_limit=60, soft_time_limit=45)
def welcome_email(user_id: int) -> bool:
    """Sends the welcome e-mail (email queue)."""
    return notification_welcome_email(user_id=user_id)


@shared_task(name="notifications.email_send", time_limit=300, soft_time_limit=270)
def email_send(email_ids: list[int]) -> int:
    """Sends stored e-mails over one SMTP connection (email queue)."""
    return email_send_many(email_ids=email_ids)


@shared_task(name="notifications.email_requeue_unsent", time_limit=60, soft_time_limit=45)
def email_requeue() -> int:
    """Beat: queues again the e-mails whose task was lost or gave up."""
    return email_requeue_unsent()


@shared_task(name="notifications.purge_read", time_limit=900, soft_time_limit=840)
def purge_read() -> int:
    """Beat: deletes old read notifications and old sent e-mails."""
    return notification_purge_read() + email_purge_sent()
