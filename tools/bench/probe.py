"""
The benchmark's in-process helpers, run inside Django with the same settings as the server:

    python -m tools.bench.probe prepare  > prepare.json   # bench users, tokens and slugs
    python -m tools.bench.probe queries CASES < prepare.json  # SQL queries and cache calls per request

`prepare` adds what the load needs to a seeded database and prints it as JSON: a reader who follows
20 prolific authors (the feed), a writer (POST /articles), two "fans" (favorite/unfavorite, one per
wrk thread), the mixed workload's favoriting and commenting users, the slugs to read and to
favorite, and a JWT for each user.

`queries` sends each case's request twice through Django's test client (full middleware stack, no
network) and reports the second, warm one: the SQL queries it ran (CaptureQueriesContext) and the
calls it made to the cache backend. Run from the repository root with PYTHONPATH=backend.
"""

import json
import os
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tools.bench.settings")
django.setup()

from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.articles.models import Article, Favorite  # noqa: E402
from apps.articles.services import article_create, article_delete, article_unfavorite  # noqa: E402
from apps.comments.models import Comment  # noqa: E402
from apps.comments.services import comment_delete  # noqa: E402
from apps.feeds.models import FanoutOnReadAuthor, PendingFanout  # noqa: E402
from apps.profiles.models import Follow  # noqa: E402
from apps.users.models import User  # noqa: E402
from apps.users.services import user_issue_token  # noqa: E402
from tools.bench.search_texts import SEARCH_QUERIES  # noqa: E402

FOLLOWED_AUTHORS = 20
# Issue #12: a second reader follows this many authors, one of them the 10,000-follower publisher,
# who is read at read time (apps.feeds): CELEBRITY_ARTICLES of theirs are merged into every page.
WIDE_READER_FOLLOWS = 500
CELEBRITY_ARTICLES = 30
DETAIL_SLUGS = 200
FAVORITE_SLUGS = 2000  # per run; each wrk thread favorites then unfavorites them in turn
# Issue #5: publishing latency with 1 and with 10,000 followers.
PUBLISHER_FOLLOWERS = (1, 10_000)
MIXERS = 4  # users favoriting and commenting in the mixed workload
MIXED_SLUGS = 2000
API = "/api/v1"
API_V2 = "/api/v2"


def search_path(q: str) -> str:
    return f"{API_V2}/articles?{urllib.parse.urlencode({'q': q, 'limit': 20})}"


# ------------------------------------------------------------------------------
# prepare
# ------------------------------------------------------------------------------


def bench_user(name: str) -> User:
    user = User.objects.filter(username=name).first()
    if user is None:
        user = User(username=name, email=f"{name}@bench.invalid")
        user.set_unusable_password()
        user.save()
    return user


def random_slugs(count: int, *, exclude_favorited_by: list[User] | None = None) -> list[str]:
    """`count` slugs spread over the whole table (a random sample, not the newest page)."""
    total = Article.objects.count()
    # TABLESAMPLE keeps this fast on a million rows; fall back to ORDER BY random() on small tables.
    with connection.cursor() as cursor:
        if total > 50_000:
            percent = min(100.0, 100.0 * count * 4 / total)
            cursor.execute(
                f"SELECT id, slug FROM {Article._meta.db_table} TABLESAMPLE SYSTEM (%s) ORDER BY random() LIMIT %s",
                [percent, count * 2],
            )
        else:
            cursor.execute(f"SELECT id, slug FROM {Article._meta.db_table} ORDER BY random() LIMIT %s", [count * 2])
        rows = cursor.fetchall()
    if exclude_favorited_by:
        taken = set(
            Favorite.objects.filter(user__in=exclude_favorited_by, article_id__in=[r[0] for r in rows]).values_list(
                "article_id", flat=True
            )
        )
        rows = [row for row in rows if row[0] not in taken]
    return [slug for _, slug in rows[:count]]


def publisher(followers: int) -> User:
    """
    A bench author followed by `followers` seeded users (fewer if the data set has fewer), with
    no articles left from an earlier run: publishing as them measures the cost of the fan-out.
    """
    author = bench_user(f"bench-author-{followers}")
    Article.objects.filter(author=author).delete()
    if author.follower_links.count() != followers:
        author.follower_links.all().delete()
        users = User.objects.exclude(username__startswith="bench-").order_by("id").values_list("id", flat=True)
        Follow.objects.bulk_create(
            [Follow(follower_id=user_id, followee=author) for user_id in users[:followers]], batch_size=2000
        )
    return author


def celebrity_articles(author: User) -> None:
    """
    The author's newest articles, published through the service, with them read at read time as
    their fan-out would have decided (no worker runs during the benchmark): no pending rows left.
    """
    FanoutOnReadAuthor.objects.get_or_create(author=author)
    for n in range(CELEBRITY_ARTICLES):
        article_create(author=author, title=f"bench celebrity {n} {time.time_ns()}", description="d", body="b")
    PendingFanout.objects.filter(author=author).delete()


def prepare() -> dict[str, Any]:
    reader, writer = bench_user("bench-reader"), bench_user("bench-writer")
    fans = [bench_user("bench-fan-1"), bench_user("bench-fan-2")]
    # The mixed workload's writer (writer.py) favorites and comments as these, in turn.
    mixers = [bench_user(f"bench-mixer-{n}") for n in range(1, MIXERS + 1)]
    # Undo earlier runs' writes, so that a reused database keeps its size: their articles and the
    # fans' and mixers' favorites and comments, through the services, so that every counter (favorites
    # counts, the lists' counter rows) moves as it did.
    for article in Article.objects.filter(author=writer):
        article_delete(article=article)
    for fan in fans + mixers:
        for slug in Article.objects.filter(favorites__user=fan).values_list("slug", flat=True):
            article_unfavorite(user=fan, slug=slug)
    for comment in Comment.objects.filter(author__in=mixers).select_related("article"):
        comment_delete(comment=comment)
    # The reader follows the most prolific authors among the newest 5,000 articles: a full feed.
    recent = Article.objects.order_by("-created_at", "-id").values("author_id")[:5000]
    authors = (
        User.objects.filter(id__in=recent)
        .exclude(username__startswith="bench-")
        .annotate(n=Count("articles"))
        .order_by("-n", "id")
        .values_list("id", flat=True)[:FOLLOWED_AUTHORS]
    )
    Follow.objects.bulk_create(
        [Follow(follower=reader, followee_id=author_id) for author_id in authors], ignore_conflicts=True
    )
    publishers = {str(count): publisher(count) for count in PUBLISHER_FOLLOWERS}  # before sampling slugs
    wide_reader = bench_user("bench-reader-500")
    celebrity = publishers[str(max(PUBLISHER_FOLLOWERS))]
    prolific = (
        User.objects.filter(id__in=recent)
        .exclude(username__startswith="bench-")
        .annotate(n=Count("articles"))
        .order_by("-n", "id")
        .values_list("id", flat=True)[: WIDE_READER_FOLLOWS - 1]
    )
    Follow.objects.filter(follower=wide_reader).delete()
    Follow.objects.bulk_create(
        [Follow(follower=wide_reader, followee_id=author_id) for author_id in [*prolific, celebrity.pk]]
    )
    celebrity_articles(celebrity)
    favorite_slugs = random_slugs(2 * FAVORITE_SLUGS, exclude_favorited_by=fans)
    half = len(favorite_slugs) // 2
    return {
        "articles": Article.objects.count(),
        "users": User.objects.count(),
        "follows_of_reader": Follow.objects.filter(follower=reader).count(),
        "follows_of_wide_reader": Follow.objects.filter(follower=wide_reader).count(),
        "feed_articles": Article.objects.filter(author__follower_links__follower=reader).count(),
        "tokens": {
            "reader": user_issue_token(user=reader),
            "wide_reader": user_issue_token(user=wide_reader),
            "writer": user_issue_token(user=writer),
            "fans": [user_issue_token(user=fan) for fan in fans],
            "mixers": [user_issue_token(user=mixer) for mixer in mixers],
            "publishers": {count: user_issue_token(user=user) for count, user in publishers.items()},
        },
        "publisher_followers": {count: user.follower_links.count() for count, user in publishers.items()},
        "detail_slugs": random_slugs(DETAIL_SLUGS),
        # Disjoint halves: one for the warm-up run, one for the measured run, so that both start
        # from "not favorited" and every request does real work.
        "favorite_slugs_warmup": favorite_slugs[:half],
        "favorite_slugs": favorite_slugs[half:],
        # What the mixed workload's writer favorites and comments on: random articles of the whole table.
        "mixed_slugs": random_slugs(MIXED_SLUGS),
        "search_paths": [search_path(q) for q in SEARCH_QUERIES],
    }


# ------------------------------------------------------------------------------
# queries
# ------------------------------------------------------------------------------


@contextmanager
def counting_cache_calls() -> Iterator[Counter[str]]:
    """Counts the calls made to the default cache backend (each is one round trip to Redis)."""
    backend = caches["default"]
    calls: Counter[str] = Counter()
    names = ("get", "get_many", "set", "set_many", "add", "incr", "decr", "delete", "delete_many", "has_key")
    originals = {name: getattr(backend, name) for name in names}

    def wrap(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return original(*args, **kwargs)

        return call

    for name, original in originals.items():
        setattr(backend, name, wrap(name, original))
    try:
        yield calls
    finally:
        for name in names:
            delattr(backend, name)


def case_requests(data: dict[str, Any]) -> dict[str, Callable[[Client, int], Any]]:
    """Each case's request; `n` makes the POST bodies unique."""
    reader: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {data['tokens']['reader']}"}
    wide_reader: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {data['tokens']['wide_reader']}"}
    writer: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {data['tokens']['writer']}"}
    fan: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {data['tokens']['fans'][0]}"}
    slug = data["detail_slugs"][0]
    favorite_slug = data["detail_slugs"][1]

    def post_article(client: Client, n: int) -> Any:
        body = {"article": {"title": f"probe {time.time_ns()} {n}", "description": "d", "body": "b", "tagList": ["x"]}}
        return client.post(f"{API}/articles", json.dumps(body), content_type="application/json", **writer)

    def favorite(client: Client, n: int) -> Any:
        return client.post(f"{API}/articles/{favorite_slug}/favorite", **fan)

    def unfavorite(client: Client, n: int) -> Any:
        return client.delete(f"{API}/articles/{favorite_slug}/favorite", **fan)

    return {
        "c": lambda client, n: client.get(f"{API}/articles?limit=20"),
        "d": lambda client, n: client.get(f"{API}/articles?limit=20"),
        "e": lambda client, n: client.get(f"{API}/articles/feed?limit=20", **reader),
        "e_500": lambda client, n: client.get(f"{API}/articles/feed?limit=20", **wide_reader),
        "f": lambda client, n: client.get(f"{API}/articles/{slug}"),
        "v2_c": lambda client, n: client.get(f"{API_V2}/articles?limit=20"),
        "v2_d": lambda client, n: client.get(f"{API_V2}/articles?limit=20"),
        # A common word: the most work a cold search does (its newest 1,000 matches ranked).
        "s": lambda client, n: client.get(search_path(SEARCH_QUERIES[0])),
        "s_d": lambda client, n: client.get(search_path(SEARCH_QUERIES[0])),
        "g_post": post_article,
        "g_favorite": favorite,
        "g_unfavorite": unfavorite,
    }


# Requests run outside the capture, before the warm request and before the measured one, so that
# each favorite and unfavorite changes something; the article ends up as it started (not favorited).
SETUP = {"g_unfavorite": "g_favorite"}
TEARDOWN = {"g_favorite": "g_unfavorite"}


def queries(cases: list[str], data: dict[str, Any]) -> dict[str, Any]:
    client = Client(HTTP_HOST="127.0.0.1")
    requests = case_requests(data)
    result = {}
    for case in cases:
        setup, teardown = requests.get(SETUP.get(case, "")), requests.get(TEARDOWN.get(case, ""))
        for n in (0, 1):  # 0 warms the cache and the connection; 1 is measured
            if setup:
                setup(client, n)
            if n == 0:
                requests[case](client, n)
            else:
                with CaptureQueriesContext(connection) as captured, counting_cache_calls() as calls:
                    response = requests[case](client, n)
                # Read now: the log is cleared by the next request (captured_queries is lazy).
                sql = [query["sql"] for query in captured.captured_queries]
            if teardown:
                teardown(client, n)
        result[case] = {
            "status": response.status_code,
            "queries": len(sql),
            "sql": sql,
            "cache_calls": sum(calls.values()),
            "cache_detail": dict(calls),
            "bytes": len(response.content),
        }
    return result


def main() -> None:
    command = sys.argv[1]
    if command == "prepare":
        json.dump(prepare(), sys.stdout)
    elif command == "queries":
        json.dump(queries(sys.argv[2].split(","), json.load(sys.stdin)), sys.stdout)
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
