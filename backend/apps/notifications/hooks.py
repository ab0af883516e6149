"""
The notification hooks: what the other apps' services call, inside their own transactions, when
something happens that someone will be notified of.

Each hook writes one outbox row (apps.outbox), published after commit; the tasks then run the
idempotent `notification_*` services. The hooks take ids and import no model, so that articles,
comments and users can call them without depending on the notifications app, whose models point
at theirs (docs/architecture.md).
"""

from apps.outbox.services import outbox_enqueue

# Task names (their queues are routed in settings: CELERY_TASK_ROUTES).
FANOUT_TASK = "notifications.article_published_fanout"
CHUNK_TASK = "notifications.article_published_chunk"
COMMENTED_TASK = "notifications.article_commented"
FAVORITED_TASK = "notifications.article_favorited"
WELCOME_TASK = "notifications.welcome_email"
EMAIL_SEND_TASK = "notifications.email_send"


def notify_article_published(*, article_id: int) -> None:
    """Every follower of the author will be notified (and e-mailed if they opted in), in chunks."""
    outbox_enqueue(task=FANOUT_TASK, kwargs={"article_id": article_id}, dedup_key=f"article_published:{article_id}")


def notify_article_commented(*, comment_id: int, commenter_id: int, article_author_id: int) -> None:
    """The article's author will be notified of the comment, unless they wrote it."""
    if commenter_id != article_author_id:
        outbox_enqueue(
            task=COMMENTED_TASK, kwargs={"comment_id": comment_id}, dedup_key=f"article_commented:{comment_id}"
        )


def notify_article_favorited(*, article_id: int, author_id: int, user_id: int) -> None:
    """The article's author will be notified that `user_id` favorited it (once, however often they do)."""
    if user_id != author_id:
        outbox_enqueue(
            task=FAVORITED_TASK,
            kwargs={"article_id": article_id, "user_id": user_id},
            dedup_key=f"article_favorited:{article_id}:{user_id}",
        )


def notify_user_registered(*, user_id: int) -> None:
    """The new user will get the welcome e-mail."""
    outbox_enqueue(task=WELCOME_TASK, kwargs={"user_id": user_id}, dedup_key=f"welcome_email:{user_id}")
