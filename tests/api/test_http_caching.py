import pytest

from tests.conftest import client_for
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    return ArticleFactory(tags=["dragons"])


def test_anonymous_read_is_public_for_a_cdn_with_a_strong_etag(api_client, article):
    response = api_client.get("/api/articles")
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and not response["ETag"].startswith("W/")
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "s-maxage=10", "stale-while-revalidate=30"} <= directives
    assert "Authorization" in response["Vary"]


def test_signed_in_read_is_private_and_varies_on_authorization(user, article):
    response = client_for(user).get(f"/api/articles/{article.slug}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response["Vary"]


def test_cors_requests_also_vary_on_origin(api_client, article, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://127.0.0.1:5173"]
    response = api_client.get("/api/tags", HTTP_ORIGIN="http://127.0.0.1:5173")
    assert {"origin", "authorization"} <= {v.strip().lower() for v in response["Vary"].split(",")}


@pytest.mark.parametrize(
    "path", ["/api/articles", "/api/tags", "/api/articles/{slug}", "/api/articles/{slug}/comments"]
)
def test_matching_if_none_match_gets_304_without_a_query_or_a_body(
    api_client, article, path, django_assert_num_queries
):
    url = path.format(slug=article.slug)
    etag = api_client.get(url)["ETag"]
    with django_assert_num_queries(0):
        response = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_etag_changes_when_the_data_changes(user, article):
    client = client_for(user)
    etag = client.get(f"/api/articles/{article.slug}")["ETag"]
    client.post(f"/api/articles/{article.slug}/favorite")
    response = client.get(f"/api/articles/{article.slug}", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["article"]["favorited"] is True
    assert response["ETag"] != etag


def test_etag_differs_between_viewers(user, article, api_client):
    assert client_for(user).get("/api/articles")["ETag"] != api_client.get("/api/articles")["ETag"]


def test_writes_and_errors_are_never_stored(user, api_client, article):
    assert client_for(user).post(f"/api/articles/{article.slug}/favorite")["Cache-Control"] == "no-store"
    assert api_client.get("/api/articles/no-such-article")["Cache-Control"] == "no-store"
    assert api_client.get("/api/user")["Cache-Control"] == "no-store"
