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
