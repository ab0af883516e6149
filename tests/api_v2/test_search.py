"""
`GET /api/v2/articles?q=`: the view's wiring of the search (apps.articles.caching.article_search_page,
whose ranking and matching tests/articles/test_search.py covers): its parameters, its cursor pages
with `links.next`, no `articlesCount`, its errors as problems, the viewer's flags laid over it.
"""

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api_v2.helpers import assert_problem, v2_url
from tests.conftest import client_for
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = v2_url("articles:list")


@pytest.fixture
def dragons():
    ArticleFactory(title="Unrelated", description="Plain words.", body="Nothing to see.")
    return [
        ArticleFactory(title=f"Dragons {n}", description="About dragons.", body="Dragons everywhere.") for n in range(3)
    ]


def test_q_finds_the_matching_articles_without_a_count(api_client, dragons):
    body = api_client.get(URL + "?q=dragons").json()
    assert {article["slug"] for article in body["articles"]} == {article.slug for article in dragons}
    assert set(body) == {"articles", "nextCursor", "links"}


def test_the_search_pages_by_its_cursor_through_links_next(api_client, dragons):
    seen = []
    url = URL + "?q=dragons&limit=2"
    while url:
        body = api_client.get(url).json()
        seen += [article["slug"] for article in body["articles"]]
        if body["links"]["next"]:
            assert parse_qs(urlsplit(body["links"]["next"]).query)["q"] == ["dragons"]
        url = body["links"]["next"]
    assert sorted(seen) == sorted(article.slug for article in dragons)


def test_the_viewers_flags_are_laid_over_the_results(dragons):
    reader = UserFactory()
    client = client_for(reader)
    client.post(v2_url("articles:favorite", slug=dragons[0].slug))
    favorited = {a["slug"]: a["favorited"] for a in client.get(URL + "?q=dragons").json()["articles"]}
    assert favorited[dragons[0].slug] is True
    assert favorited[dragons[1].slug] is False


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("q=", "q"),
        ("q=%20%20%20", "q"),
        ("q=" + "x" * 201, "q"),
        ("q=dragons&tag=x", "q"),
        ("q=dragons&author=someone", "q"),
        ("q=dragons&favorited=someone", "q"),
        ("q=dragons&offset=0", "offset"),
        ("q=dragons&limit=0", "limit"),
        ("q=dragons&cursor=not-a-cursor", "cursor"),
    ],
)
def test_bad_search_parameters_are_422_problems(api_client, query, field):
    response = api_client.get(f"{URL}?{query}")
    assert_problem(response, 422, "validation-failed")
    assert field in response.json()["errors"]


def test_a_list_cursor_is_not_a_search_cursor(api_client, dragons):
    list_cursor = api_client.get(URL + "?limit=1").json()["nextCursor"]
    assert_problem(api_client.get(f"{URL}?q=dragons&cursor={list_cursor}"), 422, "validation-failed")


def test_200_characters_are_a_query(api_client):
    assert api_client.get(URL + "?q=" + "x" * 200).status_code == 200


def test_v1_has_no_search(api_client, dragons):
    """v1 ignores `q` as it ignores any parameter it does not know: RealWorld's list, unchanged."""
    body = api_client.get("/api/v1/articles?q=dragons").json()
    assert body["articlesCount"] == 4
