from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.db import insert_unless_conflict
from apps.idempotency.models import IdempotencyKey
from apps.tags.models import Tag

pytestmark = pytest.mark.django_db


def test_insert_unless_conflict_inserts_in_one_statement_and_sets_the_key(django_assert_num_queries):
    tag = Tag(name="dragons")
    with django_assert_num_queries(1):
        assert insert_unless_conflict(tag, conflict_fields=["name"])
    assert tag.pk == Tag.objects.get(name="dragons").pk
    assert not tag._state.adding


def test_insert_unless_conflict_leaves_an_existing_row_as_it_is():
    existing = Tag.objects.create(name="dragons", popularity_rank=1)
    tag = Tag(name="dragons", popularity_rank=7)
    assert not insert_unless_conflict(tag, conflict_fields=["name"])
    assert tag.pk is None
    assert list(Tag.objects.values_list("pk", "popularity_rank")) == [(existing.pk, 1)]


def test_insert_unless_conflict_fills_auto_now_add_and_takes_a_constraint_of_several_fields():
    expires_at = timezone.now() + timedelta(days=1)
    record = IdempotencyKey(scope="user:1", key="k", fingerprint="f", expires_at=expires_at)
    assert insert_unless_conflict(record, conflict_fields=["scope", "key"])
    assert record.created_at is not None
    assert IdempotencyKey.objects.get().created_at == record.created_at
    assert not insert_unless_conflict(
        IdempotencyKey(scope="user:1", key="k", fingerprint="g", expires_at=expires_at),
        conflict_fields=["scope", "key"],
    )
