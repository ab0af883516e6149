import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.articles.models import Article
from apps.articles.services import article_create, article_favorite
from apps.stats.services import article_favorites_count_reconcile, tag_popularity_recompute
from apps.tags.models import Tag
from tests.factories import ArticleFactory, FavoriteFactory, UserFactory
from tests.helpers import api_url

pytestmark = pytest.mark.django_db


def aged(article, **delta):
    Article.objects.filter(pk=article.pk).update(created_at=timezone.now() - timedelta(**delta))
    return article


def test_tag_popularity_orders_the_tag_list_and_new_tags_still_appear(api_client, django_capture_on_commit_callbacks):
    for _ in range(3):
        aged(ArticleFactory(tags=["old"]), days=60)
    ArticleFactory(tags=["fresh"])
    ArticleFactory(tags=["fresh"])
    liked = ArticleFactory(tags=["liked"])
    for _ in range(5):
        FavoriteFactory(article=liked)
    # Without a ranking, the most used come first.
    assert api_client.get(api_url("tags:list")).json()["tags"] == ["old", "fresh", "liked"]

    with django_capture_on_commit_callbacks(execute=True):
        assert tag_popularity_recompute() == 3
    assert list(
        Tag.objects.filter(popularity_rank__isnull=False)
        .order_by("popularity_rank")
        .values_list("name", "popularity_score")
    ) == [
        ("liked", 8.0),  # 1 + 2 x 1 recent + 5 recent favorites
        ("fresh", 6.0),  # 2 + 2 x 2 recent
        ("old", 3.0),
    ]
    with django_capture_on_commit_callbacks(execute=True):  # not ranked yet: listed after the ranked tags
        article_create(author=UserFactory(), title="t", description="d", body="b", tag_list=["brand-new"])
    response = api_client.get(api_url("tags:list"))
    assert response.json()["tags"] == ["liked", "fresh", "old", "brand-new"]


def test_tag_popularity_recompute_invalidates_the_cached_tag_list(api_client, django_capture_on_commit_callbacks):
    aged(ArticleFactory(tags=["a"]), days=60)
    aged(ArticleFactory(tags=["a"]), days=60)
    liked = ArticleFactory(tags=["b"])
    for _ in range(3):
        FavoriteFactory(article=liked)
    assert api_client.get(api_url("tags:list")).json()["tags"] == ["a", "b"]  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        tag_popularity_recompute()
    assert api_client.get(api_url("tags:list")).json()["tags"] == ["b", "a"]


def test_favorites_count_reconcile_fixes_and_reports_drift(caplog):
    right = ArticleFactory()
    article_favorite(user=UserFactory(), slug=right.slug)
    drifted = ArticleFactory(slug="drifted")
    FavoriteFactory(article=drifted)
    FavoriteFactory(article=drifted)  # factories do not move the counter: it says 0

    with caplog.at_level(logging.WARNING, logger="apps.stats.services"):
        report = article_favorites_count_reconcile(batch_size=1)

    assert report == [{"slug": "drifted", "stored": 0, "actual": 2}]
    assert "favorites_count drifted on 1 article(s), fixed: drifted (0 -> 2)" in caplog.text
    assert dict(Article.objects.values_list("slug", "favorites_count")) == {right.slug: 1, "drifted": 2}
    assert article_favorites_count_reconcile() == []
