"""
The caching layers serve v2 too, and never one version's body for the other's request: stored
responses in front of Django (apps.caching.responses), ETags (apps.api.http_caching) and the kept
first page of a feed are all keyed by the path, and `/api/v2/...` is not `/api/v1/...` nor `/api/...`.
"""

import json

import pytest

from apps.articles.views import ArticleDetailApi, ArticleListApi
from apps.caching.responses import canonical_path_of
from apps.feeds.views import FeedApi
from apps.users.services import user_issue_token
from tests.caching.test_responses import gets_reaching, wsgi_get
from tests.conftest import client_for
from tests.factories import ArticleFactory, FollowFactory, UserFactory

pytestmark = pytest.mark.django_db

PATHS = ["/api/articles?limit=5", "/api/v1/articles?limit=5", "/api/v2/articles?limit=5"]


@pytest.fixture
def article(db):
    return ArticleFactory(tags=["dragons"])


def test_each_version_gets_its_own_stored_list_in_front_of_django(article, monkeypatch):
    calls = gets_reaching(ArticleListApi, monkeypatch)
    first = {path: wsgi_get(path) for path in PATHS}
    again = {path: wsgi_get(path) for path in reversed(PATHS)}
    assert len(calls) == 3  # each stored once, then served in front of Django
    for path in PATHS:
        assert again[path].body == first[path].body, path
    v1, v2 = json.loads(first["/api/v1/articles?limit=5"].body), json.loads(first["/api/v2/articles?limit=5"].body)
    assert "links" in v2 and "links" not in v1
    assert first["/api/v1/articles?limit=5"]["ETag"] != first["/api/v2/articles?limit=5"]["ETag"]


def test_each_version_gets_its_own_stored_article_and_etag(article, monkeypatch):
    calls = gets_reaching(ArticleDetailApi, monkeypatch)
    v2_path, v1_path = f"/api/v2/articles/{article.slug}", f"/api/v1/articles/{article.slug}"
    v2, v1 = wsgi_get(v2_path), wsgi_get(v1_path)
    assert wsgi_get(v2_path).body == v2.body and wsgi_get(v1_path).body == v1.body
    assert len(calls) == 2
    assert v1["ETag"] != v2["ETag"]
    # v1's ETag never validates v2's representation, nor the reverse.
    assert wsgi_get(v2_path, **{"If-None-Match": v1["ETag"]}).status == 200
    assert wsgi_get(v1_path, **{"If-None-Match": v2["ETag"]}).status == 200
    assert wsgi_get(v2_path, **{"If-None-Match": v2["ETag"]}).status == 304


def test_a_write_through_one_version_refreshes_the_other(article):
    v2_path = f"/api/v2/articles/{article.slug}"
    before = json.loads(wsgi_get(v2_path).body)
    client_for(article.author).put(f"/api/v1/articles/{article.slug}", {"article": {"body": "via v1"}})
    after = json.loads(wsgi_get(v2_path).body)
    assert before["article"]["body"] != "via v1"
    assert after["article"]["body"] == "via v1"


def test_each_version_keeps_its_own_first_page_of_a_feed(monkeypatch):
    reader, author = UserFactory(), UserFactory()
    FollowFactory(follower=reader, followee=author)
    ArticleFactory(author=author)
    calls = gets_reaching(FeedApi, monkeypatch)
    token = {"Authorization": f"Token {user_issue_token(user=reader)}"}
    bodies = {}
    for _ in range(2):
        for path in ("/api/v1/articles/feed", "/api/v2/articles/feed"):
            answer = wsgi_get(path, **token)
            assert answer.status == 200
            bodies.setdefault(path, set()).add(answer.body)
    assert len(calls) == 2  # each version's page kept once, then answered in front of Django
    assert all(len(seen) == 1 for seen in bodies.values())
    assert "links" in json.loads(bodies["/api/v2/articles/feed"].pop())
    assert "links" not in json.loads(bodies["/api/v1/articles/feed"].pop())


def test_a_search_is_stored_per_text():
    """`q` is part of the canonical path: one text's stored page is never another's (nor the unfiltered list's)."""
    assert canonical_path_of("/api/v2/articles", [("q", ["dragons"])]) == "/api/v2/articles?q=dragons"
    assert canonical_path_of("/api/v2/articles", [("q", ["dragons"])]) != canonical_path_of(
        "/api/v2/articles", [("q", ["unicorns"])]
    )
    assert canonical_path_of("/api/v2/articles", [("q", ["x"]), ("r", ["1"])]) == "/api/v2/articles?q=x"


# Ref: #15 (fuzzing: `?q=` was answered with the stored unfiltered list, in front of Django's 422)
def test_an_empty_search_is_never_answered_from_the_stored_list(article):
    assert wsgi_get("/api/v2/articles").status == 200
    assert wsgi_get("/api/v2/articles").status == 200  # stored
    empty = wsgi_get("/api/v2/articles?q=")
    assert empty.status == 422
    assert json.loads(empty.body)["errors"] == {"q": ["can't be blank"]}
    assert canonical_path_of("/api/v2/articles", [("q", [""])]) is None


def test_q_mints_no_entry_where_it_is_not_a_search(article, monkeypatch):
    """v1 ignores `q`: `?q=<anything>` is its plain list, one stored entry, not one per made-up text."""
    assert canonical_path_of("/api/v1/articles", [("q", ["x"])]) == "/api/v1/articles"
    calls = gets_reaching(ArticleListApi, monkeypatch)
    bodies = {wsgi_get(f"/api/v1/articles?q=random{n}").body for n in range(3)}
    assert len(bodies) == 1
    assert len(calls) == 1
