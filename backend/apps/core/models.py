from django.db import models


class TimestampedModel(models.Model):
    """Adds creation and last-update times, kept to the microsecond (clients compare them)."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
