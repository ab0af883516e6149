from typing import cast

import pytest

from apps.articles.models import Article, Favorite
from apps.articles.services import (
    article_create,
    article_delete,
    article_favorite,
    article_unfavorite,
    article_update,
)
from apps.tags.models import Tag
from apps.users.models import User
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def create(title: str = "How to train your dragon", **kwargs) -> Article:
    return article_create(
        author=kwargs.pop("author", None) or cast(User, UserFactory()), title=title, description="d", body="b", **kwargs
    )


def test_article_create_stores_the_article_with_its_tags():
    article = create(tag_list=["training", "dragons"])

    article.refresh_from_db()
    assert (article.slug, article.title, article.favorites_count) == ("how-to-train-your-dragon", article.title, 0)
    assert article.tag_names == ["dragons", "training"]


def test_article_create_generates_unique_slugs_for_identical_titles():
    slugs = {create().slug for _ in range(3)}

    assert len(slugs) == 3
    assert "how-to-train-your-dragon" in slugs
    assert all(slug.startswith("how-to-train-your-dragon") for slug in slugs)


@pytest.mark.parametrize(
    ("title", "slug"), [("???", "article"), ("Ünïcödé Title!", "unicode-title"), ("x" * 255, "x" * 200)]
)
def test_article_create_slugifies_any_title(title, slug):
    assert create(title).slug == slug


def test_article_create_never_takes_a_reserved_slug():
    # Ref: GET /articles/feed is the feed, so an article slugged "feed" could never be read.
    assert create("Feed").slug.startswith("feed-")


def test_article_create_reuses_existing_tags():
    create(tag_list=["dragons"])
    create(tag_list=["dragons", "training"])
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["dragons", "training"]


def test_article_update_changes_only_the_given_fields_and_keeps_the_slug():
    article = ArticleFactory(title="Old", description="old description", tags=["keep"])
    slug, updated_at = article.slug, article.updated_at

    article_update(article=article, changes={"title": "New title"})

    article.refresh_from_db()
    assert (article.slug, article.title, article.description) == (slug, "New title", "old description")
    assert article.tag_names == ["keep"]
    assert article.updated_at > updated_at


@pytest.mark.parametrize(("tag_list", "expected"), [([], []), (["b", "a"], ["a", "b"])])
def test_article_update_replaces_the_tags_when_given(tag_list, expected):
    article = ArticleFactory(tags=["old"])
    article_update(article=article, changes={"tag_list": tag_list})
    assert Article.objects.get(pk=article.pk).tag_names == expected


def test_article_delete_removes_the_article_and_its_favorites():
    article = ArticleFactory()
    article_favorite(user=UserFactory(), slug=article.slug)

    article_delete(article=article)

    assert not Article.objects.exists()
    assert not Favorite.objects.exists()


def favorites_count(article: Article) -> int:
    count = Article.objects.get(pk=article.pk).favorites_count
    assert count == Favorite.objects.filter(article=article).count()
    return count


def test_article_favorite_and_unfavorite_keep_the_count_equal_to_the_rows():
    article = ArticleFactory()
    jake, anna = UserFactory(), UserFactory()

    article_favorite(user=jake, slug=article.slug)
    article_favorite(user=jake, slug=article.slug)
    assert favorites_count(article) == 1
    article_favorite(user=anna, slug=article.slug)
    assert favorites_count(article) == 2
    article_unfavorite(user=jake, slug=article.slug)
    article_unfavorite(user=jake, slug=article.slug)
    assert favorites_count(article) == 1
    article_unfavorite(user=anna, slug=article.slug)
    assert favorites_count(article) == 0


def test_article_favorite_counts_per_article():
    first, second = ArticleFactory.create_batch(2)
    article_favorite(user=UserFactory(), slug=first.slug)
    assert (favorites_count(first), favorites_count(second)) == (1, 0)
