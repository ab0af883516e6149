from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """
    A task to hand to the broker, written in the same transaction as the change that calls for it.

    The row exists exactly when the change committed: a broker outage during the write loses no
    task, and a rolled-back write sends none. The on-commit nudge publishes the row and the worker
    marks it sent when it starts the task; the relay (apps.outbox.services.outbox_relay) publishes
    the rows no worker took within the nudge's grace, or that the nudge could not publish, and marks
    them sent once the broker has accepted them. A crash in between publishes a row twice, never
    zero times: tasks are idempotent, and `dedup_key` keeps a change that is replayed from enqueuing
    its task again.
    """

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    # Unique when set: a second enqueue with the same key is a no-op.
    dedup_key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    # The request that caused the task, carried into the task's log lines.
    request_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Not due for the relay before this time: the nudge's grace after the commit, or the backoff after
    # a failed attempt.
    available_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The relay's scan: pending rows that are due, oldest first. Small: sent rows are not in it.
            models.Index(
                fields=["available_at", "id"], name="outbox_pending_idx", condition=models.Q(sent_at__isnull=True)
            ),
            # The purge of old sent rows.
            models.Index(fields=["sent_at"], name="outbox_sent_idx", condition=models.Q(sent_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
