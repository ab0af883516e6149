from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.db import insert_unless_conflict
from apps.core.exceptions import ConflictError, InvalidError
from apps.idempotency.models import IdempotencyKey
from apps.idempotency.selectors import idempotency_key_get

# The field of the error envelope for every idempotency error.
FIELD = "Idempotency-Key"
# The fields of the key's unique constraint.
UNIQUE_FIELDS = ["scope", "key"]


@transaction.atomic(savepoint=False)
def idempotency_key_claim(*, scope: str, key: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """
    Claims `key` in `scope` for the current request, inside the caller's (the write's) transaction.

    Returns `(record, True)` for a fresh claim: run the request, then `idempotency_key_complete`.
    Returns `(record, False)` when a request with this key already completed: replay its response.
    Raises InvalidError when the key was first used with another request (method, path or body).

    A fresh claim is one statement (`INSERT ... ON CONFLICT DO NOTHING`), a replay two. On
    PostgreSQL a concurrent claim of the same key waits on the unique index until the first
    transaction ends, then replays its response (or claims the key if it rolled back); on SQLite
    writers are serialized at BEGIN, so the second one finds the committed row at once.
    """
    record = IdempotencyKey(
        scope=scope,
        key=key,
        fingerprint=fingerprint,
        expires_at=timezone.now() + timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS),
    )
    if insert_unless_conflict(record, conflict_fields=UNIQUE_FIELDS):
        return record, True
    existing = idempotency_key_get(scope=scope, key=key)
    if existing is None:
        # The row in the way has expired (the daily purge has not run yet): this request replaces it.
        IdempotencyKey.objects.filter(scope=scope, key=key, expires_at__lte=timezone.now()).delete()
        if insert_unless_conflict(record, conflict_fields=UNIQUE_FIELDS):
            return record, True
        existing = idempotency_key_get(scope=scope, key=key)
        if existing is None:
            raise ConflictError(FIELD, "is in use by a request in progress; retry later")
    if existing.fingerprint != fingerprint:
        raise InvalidError(FIELD, "was already used with a different request")
    if existing.status_code is None:
        raise ConflictError(FIELD, "is in use by a request in progress; retry later")
    return existing, False


@transaction.atomic(savepoint=False)
def idempotency_key_complete(*, record: IdempotencyKey, status_code: int, body: Any) -> None:
    """Stores the response of the request that claimed `record`; it commits with the request's write."""
    record.status_code = status_code
    record.response_body = body
    record.save(update_fields=["status_code", "response_body"])


@transaction.atomic(savepoint=False)
def idempotency_key_release(*, record: IdempotencyKey) -> None:
    """Gives the key back when its request did not succeed, so that a retry runs afresh."""
    record.delete()


def idempotency_key_purge_expired() -> int:
    """Deletes the expired keys; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
