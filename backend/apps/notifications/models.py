from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    ARTICLE_PUBLISHED = "article_published", "An author you follow published an article"
    ARTICLE_COMMENTED = "article_commented", "Someone commented on your article"
    ARTICLE_FAVORITED = "article_favorited", "Someone favorited your article"


class Notification(models.Model):
    """
    Something that happened that `recipient` should know about; only they can see it.

    (recipient, kind, source) is unique, so a task delivered twice cannot notify twice: `source`
    names the cause (the article's id for a publication, the comment's id, "<article id>:<user id>"
    for a favorite, which stays the same when the user unfavorites and favorites again).
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    source = models.CharField(max_length=64)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey("comments.Comment", on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "source"], name="notifications_once_per_source"),
        ]
        indexes = [
            # The list, newest first, paged by id.
            models.Index(fields=["recipient", "-id"], name="notifications_recipient_idx"),
            # The unread count, and "mark all as read".
            models.Index(
                fields=["recipient"], name="notifications_unread_idx", condition=models.Q(read_at__isnull=True)
            ),
            # The purge of old read notifications.
            models.Index(fields=["read_at"], name="notifications_read_idx", condition=models.Q(read_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class OutgoingEmail(models.Model):
    """
    An e-mail to send once. `key` (unique) names what it is about, so a task delivered twice cannot
    queue it twice; a row is marked sent in the transaction that holds its lock while the mail goes
    out, so a second delivery of the send task finds it sent. (A crash after the SMTP server accepted
    the mail but before the commit sends it again: SMTP offers no exactly-once.)
    """

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Permanent failures (the server refused the address): the sweeper gives up after a few.
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="emails_unsent_idx", condition=models.Q(sent_at__isnull=True)),
            models.Index(fields=["sent_at"], name="emails_sent_idx", condition=models.Q(sent_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.key
