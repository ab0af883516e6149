from io import StringIO
from typing import cast

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.articles.models import Article, ArticleCount
from apps.articles.services import (
    article_create,
    article_delete,
    article_favorite,
    article_unfavorite,
    article_update,
)
from tests.factories import ArticleFactory, UserFactory
from tests.helpers import api_url

pytestmark = pytest.mark.django_db


def check_counters(*args: str) -> str:
    out = StringIO()
    call_command("check_counters", *args, stdout=out)
    return out.getvalue()


def set_favorites_count_behind_the_services(article: Article, value: int) -> None:
    """Drift as a bug or a manual edit would cause it: a raw UPDATE that no service sees."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Article._meta.db_table} SET favorites_count = %s WHERE id = %s", [value, article.pk])


def stored_favorites_counts() -> dict[str, int]:
    return dict(Article.objects.values_list("slug", "favorites_count"))


@pytest.fixture
def favorited_articles() -> list[Article]:
    """Three articles whose counters are right: 2, 1 and 0 favorites."""
    fans = UserFactory.create_batch(2)
    articles = [cast(Article, ArticleFactory(slug=slug)) for slug in ("two-fans", "one-fan", "no-fan")]
    for fan in fans:
        article_favorite(user=fan, slug=articles[0].slug)
    article_favorite(user=fans[0], slug=articles[1].slug)
    return articles


def test_check_counters_reports_exact_counters_and_exits_zero(favorited_articles):
    output = check_counters()

    assert "articles.Article.favorites_count: exact" in output


def test_check_counters_reports_drift_without_fixing_it_and_exits_non_zero(favorited_articles):
    two_fans, one_fan, _ = favorited_articles
    set_favorites_count_behind_the_services(two_fans, 5)
    set_favorites_count_behind_the_services(one_fan, 0)
    out = StringIO()

    with pytest.raises(CommandError, match=r"1 counter\(s\) drifted: run with --fix") as error:
        call_command("check_counters", "--batch-size", "2", stdout=out)

    assert error.value.returncode == 1
    output = out.getvalue()
    assert "articles.Article.favorites_count: 2 row(s) off, not fixed" in output
    assert "two-fans: stored 5, actual 2" in output
    assert "one-fan: stored 0, actual 1" in output
    assert stored_favorites_counts() == {"two-fans": 5, "one-fan": 0, "no-fan": 0}  # report only


def test_check_counters_lists_a_few_examples(favorited_articles):
    for article in favorited_articles:
        set_favorites_count_behind_the_services(article, 9)

    with pytest.raises(CommandError):
        call_command("check_counters", "--examples", "1", stdout=(out := StringIO()))

    assert "3 row(s) off" in out.getvalue()
    assert "... and 2 more" in out.getvalue()


def test_check_counters_fix_repairs_the_drift_and_the_cached_article(
    favorited_articles, api_client, django_capture_on_commit_callbacks
):
    two_fans = favorited_articles[0]
    set_favorites_count_behind_the_services(two_fans, 7)
    detail = api_url("articles:detail", slug="two-fans")
    assert api_client.get(detail).json()["article"]["favoritesCount"] == 7  # now cached with the drift

    with django_capture_on_commit_callbacks(execute=True):
        output = check_counters("--fix")

    assert "articles.Article.favorites_count: 1 row(s) off, fixed" in output
    assert "two-fans: stored 7, actual 2" in output
    assert stored_favorites_counts() == {"two-fans": 2, "one-fan": 1, "no-fan": 0}
    assert api_client.get(detail).json()["article"]["favoritesCount"] == 2
    assert "favorites_count: exact" in check_counters()


def test_the_list_counters_stay_exact_through_every_kind_of_write(favorited_articles):
    # Ref: #11: the ArticleCount rows are moved by the services in the writes' own transactions.
    author = UserFactory()
    fan = favorited_articles[0].favorites.first().user  # type: ignore[union-attr]
    article = article_create(author=author, title="Counted", description="d", body="b", tag_list=["x", "y"])
    article_update(article=article, changes={"tag_list": ["y", "z"]})
    article_favorite(user=fan, slug=article.slug)
    article_unfavorite(user=fan, slug=favorited_articles[1].slug)
    article_delete(article=favorited_articles[0])  # had two fans: their counters go down too

    assert "articles.ArticleCount.total: exact" in check_counters()


def test_check_counters_reports_and_repairs_drifted_list_counters(favorited_articles):
    ArticleCount.objects.filter(kind=ArticleCount.Kind.ALL).delete()
    ArticleCount.objects.create(kind=ArticleCount.Kind.ALL, subject_id=0, shard=3, total=99)
    ArticleCount.objects.filter(kind=ArticleCount.Kind.FAVORITED).delete()  # rows lost

    with pytest.raises(CommandError, match="drifted"):
        call_command("check_counters", stdout=(out := StringIO()))
    assert "articles.ArticleCount.total: 3 row(s) off, not fixed" in out.getvalue()
    assert "all:0: stored 99, actual 3" in out.getvalue()

    assert "articles.ArticleCount.total: 3 row(s) off, fixed" in check_counters("--fix")
    assert "articles.ArticleCount.total: exact" in check_counters()
