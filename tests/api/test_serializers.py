"""apps.api.serializers: the response shapes built as plain dicts from their declarations."""

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from rest_framework import serializers

from apps.api.serializers import EntrySerializer
from apps.articles.caching import article_entries
from apps.articles.selectors import article_contents
from apps.articles.serializers import ArticleListItemSerializer, ArticleSerializer
from apps.comments.serializers import CommentSerializer
from apps.profiles.serializers import ProfileSerializer
from tests.factories import ArticleFactory

ENTRY_SHAPES = [ProfileSerializer, CommentSerializer, ArticleListItemSerializer, ArticleSerializer]


def declared_keys(shape: type[EntrySerializer]) -> set[str]:
    return set(shape._declared_fields) - shape.VIEWER_FIELDS - shape.OVERLAID_FIELDS


@pytest.mark.parametrize("shape", ENTRY_SHAPES, ids=lambda shape: shape.__name__)
def test_an_entry_has_every_declared_field_but_the_viewers_flags_and_the_overlaid_parts(shape):
    author = SimpleNamespace(username="writer", bio=None, image="https://example.com/w.png")
    when = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2)))
    instance = SimpleNamespace(
        id=7,
        slug="a-title",
        title="A title",
        description="About",
        body="Text",
        created_at=when,
        updated_at=when,
        favorites_count=3,
        author=author,
        username="writer",
        bio=None,
        image=None,
    )

    given = {"tagList": ["a", "b"]} if "tagList" in shape._declared_fields else {}  # fetched in bulk
    entry = shape.entry_data(instance, **given)

    assert set(entry) == declared_keys(shape)
    for name, field in shape._declared_fields.items():
        if name in shape.OVERLAID_FIELDS:
            continue  # cached as entries of their own (a favorites count, a profile), laid over by the reads
        if isinstance(field, EntrySerializer):
            assert set(entry[name]) == declared_keys(type(field))
        if isinstance(field, serializers.DateTimeField):
            assert entry[name] == "2024-05-06T05:08:09.123456Z"  # in UTC, as DRF renders it


def test_an_entry_takes_the_given_values_over_the_instances():
    user = SimpleNamespace(username="writer", bio="Old", image=None)
    assert ProfileSerializer.entry_data(user, bio="New") == {"username": "writer", "bio": "New", "image": None}


def test_an_entry_refuses_a_field_it_cannot_render():
    class OddSerializer(EntrySerializer):
        score = serializers.DecimalField(max_digits=4, decimal_places=2)

    with pytest.raises(TypeError, match="score"):
        OddSerializer.entry_data(SimpleNamespace(score=1))


def test_the_plain_fields_render_the_model_value_as_it_is():
    comment = SimpleNamespace(
        id=1,
        body="Hi",
        created_at=datetime(2024, 1, 1, tzinfo=UTC),
        updated_at=datetime(2024, 1, 2, tzinfo=UTC),
        author=SimpleNamespace(username="u", bio="b", image=None),
    )
    assert CommentSerializer.entry_data(comment) == {  # the author is overlaid from its own entry
        "id": 1,
        "createdAt": "2024-01-01T00:00:00.000000Z",
        "updatedAt": "2024-01-02T00:00:00.000000Z",
        "body": "Hi",
    }
    assert ProfileSerializer.entry_data(comment.author) == {"username": "u", "bio": "b", "image": None}


def shared_content(data: dict[str, Any], shape: type[EntrySerializer]) -> dict[str, Any]:
    """A shared entry's data without the parts laid over its content."""
    return {name: value for name, value in data.items() if name not in shape.OVERLAID_FIELDS}


@pytest.mark.django_db
def test_an_instantiated_shape_represents_an_instance_as_its_shared_entry():
    article = ArticleFactory(tags=["b", "a"])
    rows = [(article.pk, article.author_id, "")]
    [content] = article_contents([article.pk], with_body=True).values()

    assert ArticleSerializer(article).data == {name: value for name, value in content.items() if name != "author_id"}
    assert ArticleSerializer(article).data == shared_content(
        article_entries(rows, with_body=True)[0]["data"], ArticleSerializer
    )
    assert ArticleListItemSerializer([article], many=True).data == [
        shared_content(entry["data"], ArticleListItemSerializer) for entry in article_entries(rows)
    ]
