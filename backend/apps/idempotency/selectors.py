from django.utils import timezone

from apps.idempotency.models import IdempotencyKey


def idempotency_key_get(*, scope: str, key: str) -> IdempotencyKey | None:
    """The unexpired record of `key` in `scope`, if any."""
    return IdempotencyKey.objects.filter(scope=scope, key=key, expires_at__gt=timezone.now()).first()
