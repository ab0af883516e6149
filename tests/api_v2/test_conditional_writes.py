"""
v2's optimistic concurrency: articles, profiles and the user carry the ETag of their representation;
`PUT /articles/{slug}` and `PUT /user` with an `If-Match` that is no longer current answer 412 and
write nothing (apps.api.http_caching.if_match_holds, under a lock of the row).
"""

import threading

import pytest
from django.db import connection

from apps.articles.models import Article
from apps.users.models import User
from tests.api_v2.helpers import assert_problem, v2_url
from tests.conftest import client_for
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(user):
    return ArticleFactory(author=user, body="first")


def edit(client, slug: str, body: str, **headers):
    return client.put(v2_url("articles:detail", slug=slug), {"article": {"body": body}}, **headers)


def test_an_article_carries_a_strong_etag_that_its_write_responses_carry_too(auth_client, article):
    read = auth_client.get(v2_url("articles:detail", slug=article.slug))
    etag = read["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    written = edit(auth_client, article.slug, "second", HTTP_IF_MATCH=etag)
    assert written.status_code == 200
    assert written["ETag"] != etag
    assert written["ETag"] == auth_client.get(v2_url("articles:detail", slug=article.slug))["ETag"]


def test_a_stale_if_match_is_a_412_and_writes_nothing(auth_client, article):
    etag = auth_client.get(v2_url("articles:detail", slug=article.slug))["ETag"]
    assert edit(auth_client, article.slug, "second", HTTP_IF_MATCH=etag).status_code == 200
    lost = edit(auth_client, article.slug, "lost update", HTTP_IF_MATCH=etag)
    assert_problem(lost, 412, "precondition-failed", {"If-Match": [lost.json()["errors"]["If-Match"][0]]})
    article.refresh_from_db()
    assert article.body == "second"


def test_a_change_by_someone_else_makes_the_etag_stale(auth_client, article):
    """A favorite changes the representation (its count), so an edit based on the old one is refused."""
    etag = auth_client.get(v2_url("articles:detail", slug=article.slug))["ETag"]
    client_for(UserFactory()).post(v2_url("articles:favorite", slug=article.slug))
    assert edit(auth_client, article.slug, "second", HTTP_IF_MATCH=etag).status_code == 412


@pytest.mark.parametrize("if_match", [None, "*"])
def test_no_if_match_or_a_star_writes_unconditionally(auth_client, article, if_match):
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    assert edit(auth_client, article.slug, "second", **headers).status_code == 200
    article.refresh_from_db()
    assert article.body == "second"


def test_a_weak_or_garbled_if_match_never_matches(auth_client, article):
    etag = auth_client.get(v2_url("articles:detail", slug=article.slug))["ETag"]
    for header in (f"W/{etag}", etag.strip('"'), "garbage", '"' + "0" * 32 + '"'):
        assert edit(auth_client, article.slug, "x", HTTP_IF_MATCH=header).status_code == 412, header
    # One of several tags is enough.
    assert edit(auth_client, article.slug, "x", HTTP_IF_MATCH=f'"nope", {etag}').status_code == 200


def test_if_match_is_checked_after_permission_and_validation(auth_client, article):
    other = client_for(UserFactory())
    assert_problem(edit(other, article.slug, "x", HTTP_IF_MATCH='"stale"'), 403, "forbidden")
    invalid = auth_client.put(
        v2_url("articles:detail", slug=article.slug), {"article": {"title": ""}}, HTTP_IF_MATCH='"stale"'
    )
    assert_problem(invalid, 422, "validation-failed")
    assert_problem(edit(auth_client, "missing", "x", HTTP_IF_MATCH='"stale"'), 404, "not-found")


def test_if_match_is_ignored_by_v1(auth_client, article):
    """v1 is RealWorld's: no ETag of the representation, no precondition."""
    v1 = auth_client.put(f"/api/v1/articles/{article.slug}", {"article": {"body": "y"}}, HTTP_IF_MATCH='"stale"')
    assert v1.status_code == 200


def test_a_matching_if_none_match_is_a_304(api_client, article):
    etag = api_client.get(v2_url("articles:detail", slug=article.slug))["ETag"]
    response = api_client.get(v2_url("articles:detail", slug=article.slug), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_a_signed_in_readers_matching_if_none_match_is_a_304_without_rendering(monkeypatch, article):
    """The ETag last rendered for the same stamps (the reader's own among them) answers before the render."""
    from apps.articles import views

    reader = client_for(UserFactory())
    url = v2_url("articles:detail", slug=article.slug)
    etag = reader.get(url)["ETag"]
    rendered: list[object] = []
    render = views.article_response
    monkeypatch.setattr(
        views, "article_response", lambda *args, **kwargs: rendered.append(1) or render(*args, **kwargs)
    )

    again = reader.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again["ETag"], rendered) == (304, etag, [])

    # The reader favorites it: their representation changes, and so does its ETag.
    assert reader.post(v2_url("articles:favorite", slug=article.slug)).status_code == 200
    changed = reader.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["article"]["favorited"] is True
    # Another reader with the first reader's ETag gets their own representation, not a 304.
    other = client_for(UserFactory()).get(url, HTTP_IF_NONE_MATCH=changed["ETag"])
    assert other.status_code == 200 and other.json()["article"]["favorited"] is False


def test_the_user_carries_an_etag_without_its_token_and_put_user_checks_if_match(auth_client, user):
    first, second = auth_client.get(v2_url("users:current")), auth_client.get(v2_url("users:current"))
    assert first["ETag"] == second["ETag"]  # a fresh token each time, the same representation
    written = auth_client.put(v2_url("users:current"), {"user": {"bio": "new"}}, HTTP_IF_MATCH=first["ETag"])
    assert written.status_code == 200
    assert written["ETag"] != first["ETag"]
    stale = auth_client.put(v2_url("users:current"), {"user": {"bio": "lost"}}, HTTP_IF_MATCH=first["ETag"])
    assert_problem(stale, 412, "precondition-failed")
    user.refresh_from_db()
    assert user.bio == "new"


def test_a_profile_carries_an_etag(api_client, user):
    response = api_client.get(v2_url("profiles:detail", username=user.username))
    assert response["ETag"].startswith('"')
    again = api_client.get(v2_url("profiles:detail", username=user.username), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


# ------------------------------------------------------------------------------
# The lost update, raced: two writers with the same ETag at the same time
# ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_of_two_concurrent_writers_with_the_same_etag_exactly_one_wins():
    """
    Two real transactions on their own connections, released together: the row lock (PostgreSQL) or the
    IMMEDIATE write transaction (SQLite) serializes them, so the second sees the first's write and gets 412.
    """
    author = UserFactory()
    article = ArticleFactory(author=author, body="first")
    url = v2_url("articles:detail", slug=article.slug)
    etag = client_for(author).get(url)["ETag"]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def writer(body: str) -> None:
        client = client_for(User.objects.get(pk=author.pk))
        barrier.wait()
        try:
            statuses.append(client.put(url, {"article": {"body": body}}, HTTP_IF_MATCH=etag).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(body,)) for body in ("from A", "from B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 412]
    assert Article.objects.get(pk=article.pk).body in ("from A", "from B")
