import pytest

from apps.tags.models import Tag
from tests.conftest import client_for
from tests.factories import ArticleFactory, TagFactory
from tests.helpers import api_url

pytestmark = pytest.mark.django_db

TAGS_URL = api_url("tags:list")


def test_tag_list_is_empty_without_articles(api_client):
    TagFactory(name="unused")
    response = api_client.get(TAGS_URL)
    assert response.status_code == 200
    assert response.json() == {"tags": []}


def test_tag_list_is_most_used_first_then_by_name(api_client):
    ArticleFactory(tags=["dragons", "training", "zoo"])
    ArticleFactory(tags=["training", "angular"])
    ArticleFactory(tags=["training", "zoo"])

    assert api_client.get(TAGS_URL).json() == {"tags": ["training", "zoo", "angular", "dragons"]}


def test_tag_list_follows_article_writes_through_the_api(user):
    client = client_for(user)
    created = client.post(
        api_url("articles:list"), {"article": {"title": "t", "description": "d", "body": "b", "tagList": ["fresh"]}}
    )
    slug = created.json()["article"]["slug"]
    assert client.get(TAGS_URL).json()["tags"] == ["fresh"]

    client.put(api_url("articles:detail", slug=slug), {"article": {"tagList": ["renamed"]}})
    assert client.get(TAGS_URL).json()["tags"] == ["renamed"]

    client.delete(api_url("articles:detail", slug=slug))
    assert client.get(TAGS_URL).json()["tags"] == []
    assert Tag.objects.filter(name__in=["fresh", "renamed"]).count() == 2  # kept, just unused


def test_tag_list_is_not_capped(api_client):
    ArticleFactory(tags=[f"tag{i:03}" for i in range(20)])
    ArticleFactory(tags=[f"tag{i:03}" for i in range(20, 40)])
    assert len(api_client.get(TAGS_URL).json()["tags"]) == 40
