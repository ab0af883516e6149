import pytest

from apps.tags.selectors import tag_list_popular
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_tag_list_popular_orders_by_use_then_name_and_skips_unused_tags():
    TagFactory(name="unused")
    ArticleFactory(tags=["b", "c"])
    ArticleFactory(tags=["c", "a"])

    assert tag_list_popular() == ["c", "a", "b"]
