"""
The invalidation matrix (#11): which write invalidates which cached read.

- Derived from the declarations (apps.caching.reads: each entry's stamp families, each write kind's)
  and asserted against expectations written here by hand: a change of the matrix is a decision.
- Then played for real: each kind of write is made through the API over a warm cache, and every read
  is compared, for an anonymous reader and two signed-in ones, with the same read computed from the
  database; the reads the write does not touch must have been answered without loading any entry.

With REDIS_URL set (CI's second run) the cache is Redis; otherwise Django's in-process cache.
"""

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.apps import apps as django_apps
from prometheus_client import REGISTRY

from apps.articles.models import Article
from apps.caching.generations import reset_cache_breaker, trip_cache_breaker
from apps.caching.reads import ENTRIES, WRITES
from apps.users.models import User
from tests.client import APIClient
from tests.conftest import client_for
from tests.factories import ArticleFactory, CommentFactory, FavoriteFactory, FollowFactory, UserFactory
from tests.helpers import api_url

ALL_LISTS = {
    "articles.list",
    "articles.list.tag",
    "articles.list.author",
    "articles.list.favorited",
    "articles.list.combined",
}
EVERY_ENTRY = {
    *ALL_LISTS,
    "articles.summary",
    "articles.full",
    "articles.favorites_count",
    "articles.by_slug",
    "articles.search",
    "profiles.profile",
    "profiles.id",
    "profiles.followees",
    "feeds.fanout_on_read_authors",
    "feeds.first_page",
    "comments.page",
    "tags.list",
}
LISTS_BY_USERNAME = {"articles.list.author", "articles.list.favorited", "articles.list.combined"}

# Write kind -> the kinds of cached entries it invalidates (some of their entries, by id or filter).
EXPECTED = {
    "apps.articles.caching.article_published": {
        "articles.list",
        "articles.list.tag",
        "articles.list.author",
        "articles.list.combined",
        "articles.by_slug",
        "feeds.first_page",  # of the author's followers only (AUTHOR_ARTICLES)
    },
    # After a publish, the searches whose text the new article matches (apps.articles.search_registry).
    "apps.articles.caching.article_searches_changed": {"articles.search"},
    "apps.articles.caching.article_edited": {
        "articles.summary",
        "articles.full",
        "articles.list.tag",
        "articles.list.combined",
        "articles.search",  # only when its title, description or body changed (SEARCH_ALL)
    },
    "apps.articles.caching.article_deleted": {
        *ALL_LISTS,
        "feeds.first_page",
        "articles.summary",
        "articles.full",
        "articles.favorites_count",
        "articles.by_slug",
        "articles.search",  # through the deletes' stamp, as every list
    },
    # Not the list of all articles, nor any page of it: only the count and the favoriter's own list.
    "apps.articles.caching.article_favorites_changed": {
        "articles.favorites_count",
        "articles.list.favorited",
        "articles.list.combined",
    },
    "apps.articles.caching.article_favorites_recounted": {"articles.favorites_count"},
    "apps.comments.caching.comments_changed": {"comments.page"},
    # The follower's own flags (their ETags) and whom they follow: their feed's authors, which name
    # the first page they read (a new entry), so no page entry is invalidated.
    "apps.profiles.caching.follows_changed": {"profiles.followees"},
    # An author's promotion to the read-time merge; fan-outs and backfills move no stamp (docs/feeds.md).
    "apps.feeds.caching.fanout_on_read_changed": {"feeds.fanout_on_read_authors", "feeds.first_page"},
    # No entry: the responses kept per token (apps.caching.responses) are made of it.
    "apps.users.caching.user_tokens_changed": set(),
    "apps.tags.caching.tags_changed": {"tags.list"},
    "apps.users.caching.user_registered": {"profiles.id", *LISTS_BY_USERNAME},
    "apps.users.caching.user_profile_changed": {"profiles.profile", "profiles.id", *LISTS_BY_USERNAME},
    "apps.caching.reads.everything_changed": EVERY_ENTRY,
}


def declared_matrix() -> dict[str, set[str]]:
    for app in django_apps.get_app_configs():  # every app's declarations, whatever the tests imported
        try:
            importlib.import_module(f"{app.name}.caching")
        except ModuleNotFoundError as error:
            if error.name != f"{app.name}.caching":
                raise
    return {
        write: {name for name, entry in ENTRIES.items() if set(entry.families) & set(families)}
        for write, families in WRITES.items()
    }


def test_the_declared_matrix_is_the_expected_one():
    matrix = declared_matrix()
    assert set(ENTRIES) == EVERY_ENTRY
    assert matrix == EXPECTED


# ------------------------------------------------------------------------------
# Played for real
# ------------------------------------------------------------------------------
@dataclass
class World:
    alice: User  # writes a1 (tags t1, t2) and a2 (t3); followed by reader
    bob: User  # writes b1 (t1)
    reader: User  # favorites a1, comments on a1


def build_world() -> World:
    alice, bob, reader = (cast(User, UserFactory(username=name)) for name in ("alice", "bob", "reader"))
    a1 = cast(Article, ArticleFactory(author=alice, slug="a1", tags=["t1", "t2"]))
    ArticleFactory(author=alice, slug="a2", tags=["t3"])
    ArticleFactory(author=bob, slug="b1", tags=["t1"])
    FollowFactory(follower=reader, followee=alice)
    FavoriteFactory(user=reader, article=a1)
    Article.objects.filter(pk=a1.pk).update(favorites_count=1)
    CommentFactory(article=a1, author=reader)
    return World(alice=alice, bob=bob, reader=reader)


READS: dict[str, tuple[str, dict[str, Any], dict[str, str]]] = {
    "list": ("articles:list", {}, {}),
    "list t1": ("articles:list", {}, {"tag": "t1"}),
    "list t3": ("articles:list", {}, {"tag": "t3"}),
    "list alice": ("articles:list", {}, {"author": "alice"}),
    "list bob": ("articles:list", {}, {"author": "bob"}),
    "list favorited reader": ("articles:list", {}, {"favorited": "reader"}),
    "list t1 by bob": ("articles:list", {}, {"tag": "t1", "author": "bob"}),
    "a1": ("articles:detail", {"slug": "a1"}, {}),
    "b1": ("articles:detail", {"slug": "b1"}, {}),
    "a1 comments": ("comments:list", {"slug": "a1"}, {}),
    "b1 comments": ("comments:list", {"slug": "b1"}, {}),
    "profile alice": ("profiles:detail", {"username": "alice"}, {}),
    "profile bob": ("profiles:detail", {"username": "bob"}, {}),
    "tags": ("tags:list", {}, {}),
}


def cache_reads(layer: str, result: str) -> float:
    return REGISTRY.get_sample_value("conduit_cache_reads_total", {"layer": layer, "result": result}) or 0.0


def entry_misses() -> float:
    return cache_reads("entry", "miss")


def hits() -> float:
    return cache_reads("entry", "hit") + cache_reads("response", "hit")


@contextmanager
def cache_skipped() -> Iterator[None]:
    """Reads skip the cache (as while it is down): what every fresh answer must equal."""
    trip_cache_breaker(RuntimeError("test: read from the database"))
    try:
        yield
    finally:
        reset_cache_breaker()


@dataclass(frozen=True)
class Write:
    make: Callable[[World, Callable[[User], APIClient]], Any]
    # The reads the write may change (their entries are reloaded); every other one stays cached.
    touches: set[str]


def _post(client: APIClient, name: str, body: Any = None, **kwargs: Any) -> None:
    response = client.post(api_url(name, **kwargs), body, format="json")
    assert response.status_code in (200, 201), response.content


def _put(client: APIClient, name: str, body: Any, **kwargs: Any) -> None:
    response = client.put(api_url(name, **kwargs), body, format="json")
    assert response.status_code == 200, response.content


def _delete(client: APIClient, name: str, **kwargs: Any) -> None:
    response = client.delete(api_url(name, **kwargs))
    assert response.status_code in (200, 204), response.content


LISTS_OF_A1 = {"list", "list t1", "list alice", "list favorited reader"}
LISTS_OF_B1 = {"list", "list t1", "list bob", "list t1 by bob"}

WRITES_PLAYED = {
    "publish": Write(
        lambda w, c: _post(
            c(w.alice),
            "articles:list",
            {"article": {"title": "New", "description": "d", "body": "b", "tagList": ["t1"]}},
        ),
        touches={"list", "list t1", "list alice", "list t1 by bob", "tags"},
    ),
    "edit": Write(
        lambda w, c: _put(c(w.alice), "articles:detail", {"article": {"title": "Retitled"}}, slug="a1"),
        touches={*LISTS_OF_A1, "a1"},
    ),
    "retag": Write(
        lambda w, c: _put(c(w.alice), "articles:detail", {"article": {"tagList": ["t3"]}}, slug="a1"),
        touches={*LISTS_OF_A1, "list t3", "list t1 by bob", "a1", "tags"},
    ),
    "delete": Write(
        lambda w, c: _delete(c(w.bob), "articles:detail", slug="b1"),
        touches={*(name for name in READS if name.startswith("list")), "b1", "b1 comments", "tags"},
    ),
    "favorite": Write(
        lambda w, c: _post(c(w.reader), "articles:favorite", slug="b1"),
        touches={*LISTS_OF_B1, "list favorited reader", "b1"},
    ),
    "unfavorite": Write(
        lambda w, c: _delete(c(w.reader), "articles:favorite", slug="a1"),
        touches={*LISTS_OF_A1, "a1"},
    ),
    "comment": Write(
        lambda w, c: _post(c(w.reader), "comments:list", {"comment": {"body": "Hi"}}, slug="b1"),
        touches={"b1 comments"},
    ),
    "follow": Write(lambda w, c: _post(c(w.reader), "profiles:follow", username="bob"), touches=set()),
    "profile edit": Write(
        lambda w, c: _put(c(w.bob), "users:current", {"user": {"bio": "New bio"}}),
        touches={*LISTS_OF_B1, "b1", "profile bob"},
    ),
    "rename": Write(
        lambda w, c: _put(c(w.bob), "users:current", {"user": {"username": "robert"}}),
        touches={*LISTS_OF_B1, "b1", "profile bob"},
    ),
}


@pytest.fixture
def world(db) -> Iterator[World]:
    yield build_world()


@pytest.mark.parametrize("write_name", list(WRITES_PLAYED))
def test_each_write_leaves_every_read_fresh_and_the_others_cached(
    world, write_name, django_capture_on_commit_callbacks
):
    write = WRITES_PLAYED[write_name]
    clients: dict[int, APIClient] = {}

    def client(user: User) -> APIClient:
        return clients.setdefault(user.pk, client_for(user))

    viewers: dict[str, APIClient] = {"anonymous": APIClient(), "reader": client(world.reader), "bob": client(world.bob)}

    def get(viewer: str, read: str) -> tuple[int, Any]:
        name, kwargs, params = READS[read]
        response = viewers[viewer].get(api_url(name, **kwargs), params)
        return response.status_code, response.json()

    for viewer in viewers:  # warm every entry
        for read in READS:
            get(viewer, read)

    with django_capture_on_commit_callbacks(execute=True):
        write.make(world, client)

    for viewer in viewers:
        for read in READS:
            misses_before, hits_before = entry_misses(), hits()
            answer = get(viewer, read)
            misses, hit = entry_misses() - misses_before, hits() - hits_before
            with cache_skipped():
                truth = get(viewer, read)
            assert answer == truth, f"{write_name}: {read} for {viewer} is stale"
            if read not in write.touches:
                assert misses == 0, f"{write_name}: {read} for {viewer} reloaded {misses} entries"
                assert hit > 0, f"{write_name}: {read} for {viewer} did not use the cache"
