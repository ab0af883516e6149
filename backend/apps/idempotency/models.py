from django.db import models


class IdempotencyKey(models.Model):
    """
    A client's `Idempotency-Key` for one create request, and the response it got.

    The row is written in the transaction of the write it guards, under a unique (scope, key): the
    write and its key commit together or not at all, so a retry either finds the row (and gets the
    stored response) or runs the request afresh, even with the cache down. A concurrent duplicate
    waits on the unique index until the first one commits or rolls back. Rows expire after
    IDEMPOTENCY_KEY_TTL_HOURS and are purged daily.
    """

    # "user:<id>" for a signed-in client, "anonymous:<route>" for sign-up (the key + route then scope it).
    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    # sha256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    # Null while the first request runs (only its own transaction can see the row then).
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique_per_scope")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
