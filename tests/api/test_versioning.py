import pytest

from apps.users.models import User
from tests.conftest import client_for
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def test_unversioned_api_serves_the_current_version(api_client):
    assert api_client.get("/api/tags").json() == api_client.get("/api/v1/tags").json() == {"tags": []}


def test_unknown_version_is_a_404_in_the_error_envelope(api_client):
    response = api_client.get("/api/v3/tags")
    assert response.status_code == 404
    assert response.json() == {"errors": {"version": ["v3 is not a version of this API"]}}


def test_unknown_url_is_a_404_in_the_error_envelope(api_client):
    response = api_client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"errors": {"resource": ["not found"]}}


@pytest.fixture
def article(user):
    article = ArticleFactory(author=user, tags=["dragons"])
    CommentFactory(article=article)
    return article


READ_PATHS = [
    "articles",
    "articles?tag=dragons&limit=5",
    "articles/{slug}",
    "articles/{slug}/comments",
    "articles/feed",
    "profiles/{username}",
    "tags",
]


@pytest.mark.parametrize("path", READ_PATHS)
def test_both_url_forms_serve_the_same_response(auth_client, user, article, path):
    path = path.format(slug=article.slug, username=user.username)
    unversioned, versioned = auth_client.get(f"/api/{path}"), auth_client.get(f"/api/v1/{path}")
    assert unversioned.status_code == versioned.status_code == 200
    assert unversioned.json() == versioned.json()


@pytest.mark.parametrize("prefix", ["/api", "/api/v1"])
def test_both_url_forms_accept_writes(api_client, prefix):
    response = api_client.post(
        f"{prefix}/users", {"user": {"username": "jake", "email": "jake@jake.jake", "password": "jakejake"}}
    )
    assert response.status_code == 201
    client = client_for(User.objects.get(username="jake"))
    created = client.post(f"{prefix}/articles", {"article": {"title": "t", "description": "d", "body": "b"}})
    assert created.status_code == 201
    assert client.delete(f"{prefix}/articles/{created.json()['article']['slug']}").status_code == 204


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "articles"),
        ("get", "articles/{slug}"),
        ("get", "user"),
        ("post", "users"),
        ("delete", "articles/{slug}"),
    ],
)
def test_an_unknown_version_is_404_before_authentication(api_client, article, method, path):
    response = getattr(api_client, method)("/api/v3/" + path.format(slug=article.slug))
    assert response.status_code == 404
    assert response.json() == {"errors": {"version": ["v3 is not a version of this API"]}}


@pytest.mark.parametrize("path", ["/api/articles/", "/api/v1/tags/", "/api/v1/", "/api/"])
def test_trailing_slashes_and_bare_prefixes_are_404(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 404
    assert response.json() == {"errors": {"resource": ["not found"]}}
