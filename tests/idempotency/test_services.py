import pytest

from apps.idempotency.models import IdempotencyKey
from apps.idempotency.services import idempotency_key_claim, idempotency_key_complete

pytestmark = pytest.mark.django_db


def test_a_fresh_claim_is_one_statement(django_assert_num_queries):
    with django_assert_num_queries(1):
        record, claimed = idempotency_key_claim(scope="user:1", key="k", fingerprint="f")
    assert claimed
    assert IdempotencyKey.objects.get().pk == record.pk


def test_a_claim_of_a_completed_key_returns_its_record_for_the_replay(django_assert_num_queries):
    first, _ = idempotency_key_claim(scope="user:1", key="k", fingerprint="f")
    idempotency_key_complete(record=first, status_code=201, body={"ok": True})
    with django_assert_num_queries(2):
        record, claimed = idempotency_key_claim(scope="user:1", key="k", fingerprint="f")
    assert not claimed
    assert (record.pk, record.status_code, record.response_body) == (first.pk, 201, {"ok": True})
