from typing import Any, cast

import pytest
from django.conf import settings

from apps.articles.models import Article, Favorite
from apps.articles.services import article_favorite
from apps.comments.models import Comment
from apps.tags.models import Tag
from apps.users.models import User
from tests.client import APIClient
from tests.conftest import client_for
from tests.factories import ArticleFactory, CommentFactory, FollowFactory, UserFactory
from tests.helpers import (
    ARTICLE_KEYS,
    BLANK_VALUES,
    LIST_ITEM_KEYS,
    api_url,
    assert_blank,
    assert_error,
    assert_post_rejects_blank,
    assert_timestamps,
    page_summary,
    profile_of,
)

pytestmark = pytest.mark.django_db

LIST_URL = api_url("articles:list")


def detail_url(slug: str) -> str:
    return api_url("articles:detail", slug=slug)


def favorite_url(slug: str) -> str:
    return api_url("articles:favorite", slug=slug)


def create(client: APIClient, **fields: Any):
    payload = {
        "title": "How to train your dragon",
        "description": "Ever wonder how?",
        "body": "Very carefully.",
        "tagList": ["training", "dragons"],
        **fields,
    }
    return client.post(LIST_URL, {"article": payload})


def update(client: APIClient, slug: str, **fields: Any):
    return client.put(detail_url(slug), {"article": fields})


def list_articles(client: APIClient, url: str = LIST_URL, **params: Any) -> dict[str, Any]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def slugs(page: dict[str, Any]) -> list[str]:
    return page_summary(page)[0]


# ------------------------------------------------------------------------------
# POST /articles
# ------------------------------------------------------------------------------
def test_article_create_returns_201_with_the_whole_article(auth_client, user):
    response = create(auth_client)

    assert response.status_code == 201
    article = response.json()["article"]
    assert set(article) == ARTICLE_KEYS
    assert article | {"slug": None, "createdAt": None, "updatedAt": None} == {
        "slug": None,
        "title": "How to train your dragon",
        "description": "Ever wonder how?",
        "body": "Very carefully.",
        "tagList": ["dragons", "training"],  # sorted, whatever the order sent
        "createdAt": None,
        "updatedAt": None,
        "favorited": False,
        "favoritesCount": 0,
        "author": profile_of(user),
    }
    assert article["slug"].startswith("how-to-train-your-dragon")
    assert_timestamps(article)


def test_article_create_allows_duplicate_titles_with_distinct_slugs(auth_client):
    first, second = create(auth_client), create(auth_client)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["article"]["slug"] != second.json()["article"]["slug"]
    assert Article.objects.count() == 2


def test_article_create_titled_like_a_route_stays_reachable(auth_client):
    slug = create(auth_client, title="Feed").json()["article"]["slug"]

    response = auth_client.get(detail_url(slug))

    assert response.status_code == 200
    assert response.json()["article"]["title"] == "Feed"


def test_article_create_without_tags_has_an_empty_tag_list(auth_client):
    payload = {"title": "t", "description": "d", "body": "b"}
    response = auth_client.post(LIST_URL, {"article": payload})
    assert response.status_code == 201
    assert response.json()["article"]["tagList"] == []


def test_article_create_trims_blank_and_duplicate_tags(auth_client):
    response = create(auth_client, tagList=["b", "a", "", "b", "  c  "])
    assert response.json()["article"]["tagList"] == ["a", "b", "c"]


@pytest.mark.parametrize("field", ["title", "description", "body"])
@pytest.mark.parametrize("value", [*BLANK_VALUES, "   "])
def test_article_create_rejects_a_blank_field(auth_client, field, value):
    assert_post_rejects_blank(
        auth_client, LIST_URL, "article", {"title": "t", "description": "d", "body": "b"}, field, value
    )
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "tag_list",
    [None, "dragons", ["x" * 65], [f"tag{i}" for i in range(21)], [None]],
    ids=["null", "string", "too-long-tag", "too-many-tags", "null-tag"],
)
def test_article_create_rejects_a_bad_tag_list_and_writes_nothing(auth_client, tag_list):
    assert_error(create(auth_client, tagList=tag_list), 422, "tagList")
    assert not Article.objects.exists()
    assert not Tag.objects.exists()


def test_article_create_without_the_article_envelope_is_422(auth_client):
    assert_blank(auth_client.post(LIST_URL, {"title": "t"}), "article")


# ------------------------------------------------------------------------------
# GET /articles/{slug}
# ------------------------------------------------------------------------------
def test_article_get_works_anonymously_and_includes_the_body(api_client):
    article = ArticleFactory(tags=["b", "a"])

    response = api_client.get(detail_url(article.slug))

    assert response.status_code == 200
    body = response.json()["article"]
    assert set(body) == ARTICLE_KEYS
    assert (body["slug"], body["body"], body["tagList"]) == (article.slug, article.body, ["a", "b"])
    assert (body["favorited"], body["favoritesCount"]) == (False, 0)
    assert body["author"] == profile_of(article.author)
    assert_timestamps(body)


def test_article_get_shows_the_viewers_favorite_and_follow(auth_client, user):
    article = ArticleFactory()
    article_favorite(user=user, slug=article.slug)
    FollowFactory(follower=user, followee=article.author)

    body = auth_client.get(detail_url(article.slug)).json()["article"]

    assert (body["favorited"], body["favoritesCount"], body["author"]["following"]) == (True, 1, True)


def test_article_get_of_an_unknown_slug_is_404(api_client):
    assert_error(api_client.get(detail_url("no-such-article")), 404, "article", "not found")


def test_article_get_with_a_nul_in_the_slug_is_404(api_client):
    # Built by hand: reverse() cannot build a URL with a NUL in it.
    assert api_client.get(f"{LIST_URL}/a%00b").status_code == 404


# ------------------------------------------------------------------------------
# PUT /articles/{slug}
# ------------------------------------------------------------------------------
def test_article_update_changes_only_the_fields_sent_and_bumps_updated_at(auth_client, user):
    created = create(auth_client).json()["article"]

    response = update(auth_client, created["slug"], title="Did you train your dragon?", body="With love.")

    assert response.status_code == 200
    updated = response.json()["article"]
    assert (updated["title"], updated["body"]) == ("Did you train your dragon?", "With love.")
    assert (updated["description"], updated["tagList"]) == (created["description"], created["tagList"])
    assert updated["slug"] == created["slug"]  # links keep working after a retitle
    assert updated["createdAt"] == created["createdAt"]
    assert updated["updatedAt"] > created["updatedAt"]
    assert_timestamps(updated)


@pytest.mark.parametrize(
    ("sent", "expected"), [([], []), (["z", "a"], ["a", "z"]), ("missing", ["dragons", "training"])]
)
def test_article_update_tag_list_replaces_clears_or_keeps_the_tags(auth_client, sent, expected):
    slug = create(auth_client).json()["article"]["slug"]
    fields = {} if sent == "missing" else {"tagList": sent}

    response = update(auth_client, slug, **fields)

    assert response.status_code == 200
    assert response.json()["article"]["tagList"] == expected
    assert auth_client.get(detail_url(slug)).json()["article"]["tagList"] == expected


@pytest.mark.parametrize(("field", "value"), [("tagList", None), ("title", ""), ("body", None), ("description", " ")])
def test_article_update_rejects_an_invalid_field_and_changes_nothing(auth_client, field, value):
    slug = create(auth_client).json()["article"]["slug"]
    before = auth_client.get(detail_url(slug)).json()

    response = update(auth_client, slug, **{"title": "should not be saved", field: value})

    assert_error(response, 422, field)
    assert auth_client.get(detail_url(slug)).json() == before


# ------------------------------------------------------------------------------
# DELETE /articles/{slug}
# ------------------------------------------------------------------------------
def test_article_delete_returns_204_and_removes_the_article_and_its_comments(auth_client, user):
    article = ArticleFactory(author=user, tags=["dragons"])
    CommentFactory(article=article)
    article_favorite(user=UserFactory(), slug=article.slug)

    response = auth_client.delete(detail_url(article.slug))

    assert response.status_code == 204
    assert response.content == b""
    assert not Article.objects.exists()
    assert not Comment.objects.exists()
    assert not Favorite.objects.exists()
    assert auth_client.get(detail_url(article.slug)).status_code == 404


# ------------------------------------------------------------------------------
# POST/DELETE /articles/{slug}/favorite
# ------------------------------------------------------------------------------
def assert_favorites_count_matches_rows(article: Article, expected: int) -> None:
    article.refresh_from_db()
    assert article.favorites_count == Favorite.objects.filter(article=article).count() == expected


def test_article_favorite_returns_the_article_favorited_and_counted(auth_client, user):
    article = ArticleFactory()

    response = auth_client.post(favorite_url(article.slug))

    assert response.status_code == 200
    body = response.json()["article"]
    assert set(body) == ARTICLE_KEYS
    assert (body["slug"], body["favorited"], body["favoritesCount"]) == (article.slug, True, 1)
    assert_favorites_count_matches_rows(article, 1)


def test_article_unfavorite_returns_the_article_unfavorited(auth_client, user):
    article = ArticleFactory()
    article_favorite(user=user, slug=article.slug)

    response = auth_client.delete(favorite_url(article.slug))

    assert response.status_code == 200
    body = response.json()["article"]
    assert (body["favorited"], body["favoritesCount"]) == (False, 0)
    assert_favorites_count_matches_rows(article, 0)


def test_article_favorites_count_follows_the_favorite_rows_through_repeats():
    article = ArticleFactory()
    fans = [client_for(UserFactory()) for _ in range(3)]
    steps = [
        (fans[0].post, 1),
        (fans[0].post, 1),  # idempotent
        (fans[1].post, 2),
        (fans[2].post, 3),
        (fans[1].delete, 2),
        (fans[1].delete, 2),  # idempotent
        (fans[0].delete, 1),
        (fans[2].delete, 0),
        (fans[2].delete, 0),  # never below zero
    ]
    for call, expected in steps:
        response = call(favorite_url(article.slug))
        assert response.status_code == 200
        assert response.json()["article"]["favoritesCount"] == expected
        assert_favorites_count_matches_rows(article, expected)


def test_article_favorited_is_per_viewer(user):
    article = ArticleFactory()
    article_favorite(user=user, slug=article.slug)

    other = client_for(UserFactory()).get(detail_url(article.slug)).json()["article"]

    assert (other["favorited"], other["favoritesCount"]) == (False, 1)


# ------------------------------------------------------------------------------
# GET /articles
# ------------------------------------------------------------------------------
def test_article_list_is_empty_without_articles(api_client):
    assert page_summary(list_articles(api_client)) == ([], 0)


def test_article_list_items_have_no_body(api_client):
    article = ArticleFactory(tags=["zeta", "alpha"])

    page = list_articles(api_client)

    assert page["articlesCount"] == 1
    item = page["articles"][0]
    assert set(item) == LIST_ITEM_KEYS
    assert (item["slug"], item["tagList"], item["author"]) == (
        article.slug,
        ["alpha", "zeta"],
        profile_of(article.author),
    )
    assert_timestamps(item)


def test_article_list_is_newest_first_even_when_created_back_to_back(auth_client):
    first = create(auth_client, title="first").json()["article"]["slug"]
    second = create(auth_client, title="second").json()["article"]["slug"]
    assert slugs(list_articles(auth_client)) == [second, first]


def test_article_list_breaks_created_at_ties_by_newest_id(api_client):
    older, newer = ArticleFactory(), ArticleFactory()
    Article.objects.update(created_at=older.created_at)
    assert slugs(list_articles(api_client)) == [newer.slug, older.slug]


def test_article_list_shows_the_viewers_favorites_and_follows(auth_client, user):
    followed_author = UserFactory()
    favorite = ArticleFactory()
    by_followed = ArticleFactory(author=followed_author)
    article_favorite(user=user, slug=favorite.slug)
    FollowFactory(follower=user, followee=followed_author)

    items = {item["slug"]: item for item in list_articles(auth_client)["articles"]}

    assert (items[favorite.slug]["favorited"], items[favorite.slug]["favoritesCount"]) == (True, 1)
    assert items[favorite.slug]["author"]["following"] is False
    assert items[by_followed.slug]["favorited"] is False
    assert items[by_followed.slug]["author"]["following"] is True


@pytest.fixture
def filterable() -> dict[str, Article]:
    """Three articles: by jake tagged dragons, by jake untagged, by anna and favorited by jake."""
    jake, anna = cast(User, UserFactory(username="jake")), cast(User, UserFactory(username="anna"))
    articles = {
        "jake_dragons": cast(Article, ArticleFactory(author=jake, tags=["dragons", "training"])),
        "jake_plain": cast(Article, ArticleFactory(author=jake)),
        "anna_favorite": cast(Article, ArticleFactory(author=anna, tags=["training"])),
    }
    article_favorite(user=jake, slug=articles["anna_favorite"].slug)
    article_favorite(user=anna, slug=articles["anna_favorite"].slug)
    return articles


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "dragons"}, ["jake_dragons"]),
        ({"tag": "training"}, ["anna_favorite", "jake_dragons"]),
        ({"author": "jake"}, ["jake_plain", "jake_dragons"]),
        ({"favorited": "jake"}, ["anna_favorite"]),
        ({"tag": "training", "author": "jake"}, ["jake_dragons"]),
        ({"tag": "training", "favorited": "jake"}, ["anna_favorite"]),
        ({"author": "johnjacob"}, []),
        ({"tag": "no-such-tag"}, []),
        ({"favorited": "nobody"}, []),
        ({"tag": ""}, ["anna_favorite", "jake_plain", "jake_dragons"]),
    ],
)
def test_article_list_filters(api_client, filterable, params, expected):
    page = list_articles(api_client, **params)
    assert slugs(page) == [filterable[name].slug for name in expected]
    assert page["articlesCount"] == len(expected)


def test_article_list_filtered_by_tag_still_shows_all_tags(api_client, filterable):
    assert list_articles(api_client, tag="dragons")["articles"][0]["tagList"] == ["dragons", "training"]


@pytest.fixture
def five_articles() -> list[str]:
    """Five articles' slugs, newest first."""
    return [article.slug for article in reversed(ArticleFactory.create_batch(5))]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, slice(0, 5)),
        ({"limit": 2}, slice(0, 2)),
        ({"offset": 3}, slice(3, 5)),
        ({"limit": 2, "offset": 1}, slice(1, 3)),
        ({"limit": 1}, slice(0, 1)),
        ({"offset": 5}, slice(0, 0)),
        ({"offset": settings.PAGINATION_MAX_OFFSET}, slice(0, 0)),
    ],
)
@pytest.mark.parametrize("url_name", ["articles:list", "feeds:feed"])
def test_article_pages_count_every_match(user, five_articles, url_name, params, expected):
    for author in Article.objects.values_list("author", flat=True):
        FollowFactory(follower=user, followee_id=author)

    page = list_articles(client_for(user), api_url(url_name), **params)

    assert slugs(page) == five_articles[expected]
    assert page["articlesCount"] == 5


def test_article_list_defaults_to_20_and_caps_the_limit_at_100(api_client):
    ArticleFactory.create_batch(101)
    assert len(list_articles(api_client)["articles"]) == 20
    page = list_articles(api_client, limit=1000)
    assert (len(page["articles"]), page["articlesCount"]) == (100, 101)


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("limit", "abc"),
        ("limit", 0),
        ("limit", -1),
        ("limit", "1.5"),
        ("offset", -1),
        ("offset", "x"),
        ("offset", 2**31),
        ("offset", settings.PAGINATION_MAX_OFFSET + 1),
    ],
)
@pytest.mark.parametrize("url_name", ["articles:list", "feeds:feed"])
def test_article_pages_reject_bad_paging_params(auth_client, url_name, param, value):
    assert_error(auth_client.get(api_url(url_name), {param: value}), 422, param)
