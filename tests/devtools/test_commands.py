from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from apps.articles.models import Article, Favorite
from apps.articles.services import article_create
from apps.comments.models import Comment
from apps.profiles.models import Follow
from apps.tags.models import Tag
from apps.users.models import User
from tests.helpers import api_url

pytestmark = pytest.mark.django_db

MODELS: list[type[Any]] = [User, Follow, Tag, Article, Article.tags.through, Comment, Favorite]
SEED_OPTIONS = {"users": 12, "articles": 30, "comments": 40, "favorites": 50, "follows": 25, "tags": 8}


def run(command: str, **options: Any) -> str:
    out = StringIO()
    call_command(command, stdout=out, verbosity=0, **options)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def articles_with_wrong_favorites_count() -> list[str]:
    articles = Article.objects.annotate(actual=Count("favorites")).exclude(favorites_count=F("actual"))
    return list(articles.values_list("slug", flat=True))


# ------------------------------------------------------------------------------
# demo
# ------------------------------------------------------------------------------
def test_demo_creates_johndoe_and_janedoe_without_images():
    output = run("demo")

    for username in ("johndoe", "janedoe"):
        user = User.objects.get(username=username)
        assert (user.email, user.image) == (f"{username}@example.com", None)
        assert user.check_password("password123")
        assert user.articles.exists()
        assert user.email in output
    assert not User.objects.exclude(image=None).exists()


def test_demo_loads_tags_comments_follows_and_favorites():
    run("demo")

    assert Article.objects.filter(tags__isnull=False).distinct().count() == Article.objects.count()
    assert Comment.objects.exists()
    assert Follow.objects.filter(follower__username="johndoe", followee__username="janedoe").exists()
    assert Favorite.objects.exists()
    assert articles_with_wrong_favorites_count() == []


def test_demo_is_idempotent():
    run("demo")
    before = row_counts()
    article_rows = list(Article.objects.order_by("pk").values_list("slug", "favorites_count", "updated_at"))

    output = run("demo")

    assert row_counts() == before
    assert list(Article.objects.order_by("pk").values_list("slug", "favorites_count", "updated_at")) == article_rows
    assert "nothing to do" in output


def test_demo_keeps_an_existing_demo_user():
    User.objects.create_user(email="jane@elsewhere.test", username="janedoe", password="secret", bio="mine")

    run("demo")

    jane = User.objects.get(username="janedoe")
    assert (jane.email, jane.bio) == ("jane@elsewhere.test", "mine")
    assert jane.articles.count() == 2


# ------------------------------------------------------------------------------
# seed
# ------------------------------------------------------------------------------
def test_seed_creates_the_requested_counts():
    run("seed", **SEED_OPTIONS, batch_size=7, seed=1)

    counts = row_counts()
    assert {name: counts[name] for name in ("User", "Article", "Comment", "Favorite", "Follow", "Tag")} == {
        "User": 12,
        "Article": 30,
        "Comment": 40,
        "Favorite": 50,
        "Follow": 25,
        "Tag": 8,
    }
    assert counts["Article_tags"] > 0


def test_seed_favorites_count_equals_the_favorite_rows():
    run("seed", **SEED_OPTIONS, seed=2)

    assert articles_with_wrong_favorites_count() == []
    assert Article.objects.filter(favorites_count__gt=0).exists()


def test_seed_twice_adds_as_much_again():
    run("seed", **SEED_OPTIONS, seed=3)
    first = row_counts()

    run("seed", **SEED_OPTIONS, seed=3)  # the same seed draws the same token first: it must pick another

    counts = row_counts()
    for name in ("User", "Article", "Comment", "Favorite", "Follow"):
        assert counts[name] == 2 * first[name], name
    assert counts["Tag"] == first["Tag"]  # the vocabulary is shared between runs
    assert articles_with_wrong_favorites_count() == []


def test_seed_works_alongside_the_demo_data():
    run("demo")
    demo_favorites = dict(Article.objects.values_list("slug", "favorites_count"))

    run("seed", **SEED_OPTIONS, seed=4)
    output = run("demo")

    assert "nothing to do" in output
    demo_articles = Article.objects.filter(slug__in=demo_favorites)
    assert dict(demo_articles.values_list("slug", "favorites_count")) == demo_favorites
    assert articles_with_wrong_favorites_count() == []


def test_seed_dates_articles_in_the_past_and_comments_after_them():
    run("seed", **SEED_OPTIONS, seed=5)
    now = timezone.now()

    assert not Article.objects.filter(created_at__gt=now).exists()
    assert Article.objects.dates("created_at", "month").count() > 1
    assert not Comment.objects.filter(created_at__lt=F("article__created_at")).exists()
    # The timestamps are automatic again once the command is done.
    article = article_create(author=User.objects.first(), title="Fresh", description="d", body="b")
    assert article.created_at >= now


def test_seed_shows_its_rows_in_cached_lists(api_client, django_capture_on_commit_callbacks):
    url = api_url("articles:list")
    assert api_client.get(url).json()["articlesCount"] == 0  # cached now

    with django_capture_on_commit_callbacks(execute=True):  # as outside the test's transaction
        run("seed", **SEED_OPTIONS, seed=6)

    assert api_client.get(url).json()["articlesCount"] == 30


@pytest.mark.parametrize(
    "options",
    [
        {"users": 2, "articles": 3, "favorites": 7},
        {"users": 3, "articles": 1, "follows": 7},
        {"users": 0, "articles": 1},
        {"users": 1, "articles": 1, "batch_size": 0},
    ],
)
def test_seed_rejects_impossible_counts(options):
    with pytest.raises(CommandError):
        run("seed", **options)
    assert row_counts()["Article"] == 0


# ------------------------------------------------------------------------------
# explain_queries
# ------------------------------------------------------------------------------
def test_explain_queries_needs_postgresql(tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("checks the refusal on other databases")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        run("explain_queries", output=tmp_path / "queries.md")


def test_explain_queries_writes_every_endpoints_plan_between_the_markers(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN (ANALYZE, BUFFERS) is PostgreSQL's: set DATABASE_URL to a PostgreSQL server")
    run("seed", **SEED_OPTIONS, seed=7)
    output = tmp_path / "queries.md"
    output.write_text(
        "# Hand-written title\n\n<!-- queries:begin (generated by manage.py explain_queries) -->\nold\n"
        "<!-- queries:end -->\n\nHand-written end.\n"
    )
    articles_before = Article.objects.count()

    run("explain_queries", output=output)

    text = output.read_text()
    assert text.startswith("# Hand-written title\n") and text.endswith("Hand-written end.\n")
    assert "\nold\n" not in text
    for endpoint in ("## GET /articles\n", "## GET /articles/feed", "## GET /tags", "## POST /users/login"):
        assert endpoint in text
    assert text.count("Verdict: ") == text.count("```sql")
    assert "Execution Time:" in text
    assert "LOWER(" in text  # the login looks the e-mail up through the LOWER(email) index
    assert Article.objects.count() == articles_before  # read-only, rolled back
