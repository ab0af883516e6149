import pytest

from tests.conftest import client_for
from tests.factories import ArticleFactory
from tests.helpers import api_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    return ArticleFactory(tags=["dragons"])


def test_anonymous_read_is_public_for_a_cdn_with_a_strong_etag(api_client, article):
    response = api_client.get(api_url("articles:list"))
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and not response["ETag"].startswith("W/")
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "s-maxage=10", "stale-while-revalidate=30"} <= directives
    assert "Authorization" in response["Vary"]


def test_signed_in_read_is_private_and_varies_on_authorization(user, article):
    response = client_for(user).get(api_url("articles:detail", slug=article.slug))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response["Vary"]


def test_cors_requests_also_vary_on_origin(api_client, article, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://127.0.0.1:5173"]
    response = api_client.get(api_url("tags:list"), HTTP_ORIGIN="http://127.0.0.1:5173")
    assert {"origin", "authorization"} <= {v.strip().lower() for v in response["Vary"].split(",")}


@pytest.mark.parametrize(
    ("url_name", "per_article"),
    [("articles:list", False), ("tags:list", False), ("articles:detail", True), ("comments:list", True)],
)
def test_matching_if_none_match_gets_304_without_a_query_or_a_body(
    api_client, article, url_name, per_article, django_assert_num_queries
):
    url = api_url(url_name, slug=article.slug) if per_article else api_url(url_name)
    etag = api_client.get(url)["ETag"]
    with django_assert_num_queries(0):
        response = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_etag_changes_when_the_data_changes(user, article):
    client = client_for(user)
    url = api_url("articles:detail", slug=article.slug)
    etag = client.get(url)["ETag"]
    client.post(api_url("articles:favorite", slug=article.slug))
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["article"]["favorited"] is True
    assert response["ETag"] != etag


def test_etag_differs_between_viewers(user, article, api_client):
    assert client_for(user).get(api_url("articles:list"))["ETag"] != api_client.get(api_url("articles:list"))["ETag"]


def test_writes_and_errors_are_never_stored(user, api_client, article):
    assert client_for(user).post(api_url("articles:favorite", slug=article.slug))["Cache-Control"] == "no-store"
    assert api_client.get(api_url("articles:detail", slug="no-such-article"))["Cache-Control"] == "no-store"
    assert api_client.get(api_url("users:current"))["Cache-Control"] == "no-store"
