import pytest

from apps.tags.models import Tag
from apps.tags.services import tag_get_or_create_many
from tests.factories import TagFactory

pytestmark = pytest.mark.django_db


def test_tag_get_or_create_many_reuses_existing_tags_and_creates_the_rest():
    existing = TagFactory(name="dragons")

    tags = tag_get_or_create_many(names=["dragons", "training"])

    assert sorted(tag.name for tag in tags) == ["dragons", "training"]
    assert existing in tags
    assert Tag.objects.count() == 2


def test_tag_get_or_create_many_of_no_names_is_empty():
    assert tag_get_or_create_many(names=[]) == []
    assert not Tag.objects.exists()


def test_tag_get_or_create_many_runs_one_statement_when_every_tag_exists(django_assert_num_queries):
    TagFactory(name="dragons")
    TagFactory(name="training")
    with django_assert_num_queries(1):
        tags = tag_get_or_create_many(names=["dragons", "training", "dragons"])
    assert sorted(tag.name for tag in tags) == ["dragons", "training"]


def test_tag_get_or_create_many_creates_the_missing_tags_in_a_second_statement(django_assert_num_queries):
    TagFactory(name="dragons")
    with django_assert_num_queries(2):
        tags = tag_get_or_create_many(names=["dragons", "training", "training"])
    assert {tag.name: tag.pk for tag in tags} == dict(Tag.objects.values_list("name", "pk"))


def test_a_tag_created_concurrently_is_returned_with_its_id_and_ranking_untouched(monkeypatch):
    """The tag appears between the service's SELECT and its INSERT (another request created it)."""
    rival = TagFactory(name="dragons", popularity_rank=1, popularity_score=9.0)
    nothing = Tag.objects.none()
    monkeypatch.setattr(Tag.objects, "filter", lambda **lookups: nothing)

    tags = tag_get_or_create_many(names=["dragons", "training"])

    assert {tag.name: tag.pk for tag in tags} == dict(Tag.objects.values_list("name", "pk"))
    rival.refresh_from_db()
    assert (rival.popularity_rank, rival.popularity_score) == (1, 9.0)
    assert Tag.objects.count() == 2
