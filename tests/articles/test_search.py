"""
Full-text search (#15): apps.articles.caching.article_search_page over the real database and cache
(PostgreSQL's text search and Redis with DATABASE_URL/REDIS_URL set; the substring fallback and the
in-process cache on the embedded default). Ranking, the search box's syntax, stemming, cursors stable
under inserts, invalidation by every write that changes results, hostile input, cache pressure.
"""

import base64
import re
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from django.utils import timezone

from apps.articles import search, search_registry
from apps.articles.caching import SEARCH, SEARCH_ALL, article_search_page
from apps.articles.models import Article
from apps.articles.search import (
    SEARCH_QUERY_MAX_LENGTH,
    SearchPosition,
    article_search_query,
    search_condition,
    search_cursor_decode,
    search_cursor_encode,
    search_terms,
    search_texts_matching,
)
from apps.articles.services import article_create, article_delete, article_update
from apps.caching.generations import generations_get, redis_enabled
from apps.core.exceptions import InvalidError
from apps.users.models import User
from tests.caching.test_responses import gets_reaching, wsgi_get
from tests.client import APIClient, on_commit_callbacks
from tests.conftest import client_for
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _v2_served() -> bool:
    try:
        resolve("/api/v2/articles")
    except Resolver404:
        return False
    return True


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's text search")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the fallback without text search")


def article(title: str, description: str = "Plain words.", body: str = "Nothing to see.", **kwargs: Any) -> Article:
    return cast(Article, ArticleFactory(title=title, description=description, body=body, **kwargs))


def titles(q: str, *, limit: int = 20, cursor: str | None = None) -> list[str]:
    return [entry["data"]["title"] for entry in article_search_page(q=q, limit=limit, cursor=cursor).entries]


def every_page(q: str, *, limit: int) -> Iterator[list[str]]:
    cursor = None
    while True:
        page = article_search_page(q=q, limit=limit, cursor=cursor)
        yield [entry["data"]["title"] for entry in page.entries]
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


# ------------------------------------------------------------------------------
# What is found, in which order
# ------------------------------------------------------------------------------
@postgres_only
def test_search_ranks_title_over_description_over_body_then_newest():
    article("Quiet body", body="The volcano erupted.")
    article("Volcano one")
    article("Quiet description", description="A volcano nearby.")
    article("Volcano two")  # as long as the first title match, and newer: first among equal ranks

    assert titles("volcano") == ["Volcano two", "Volcano one", "Quiet description", "Quiet body"]


def test_search_finds_words_in_title_description_and_body():
    article("Glacier notes")
    article("Other", description="A glacier melts.")
    article("Third", body="We walked on the glacier.")
    article("Unrelated")

    assert sorted(titles("glacier")) == ["Glacier notes", "Other", "Third"]


def test_search_understands_quotes_or_and_minus():
    article("Red fox jumps")
    article("Fox red jumps")
    article("Blue whale")
    article("Red whale")

    assert titles('"red fox"') == ["Red fox jumps"]
    assert sorted(titles("fox or whale")) == ["Blue whale", "Fox red jumps", "Red fox jumps", "Red whale"]
    assert sorted(titles("whale -red")) == ["Blue whale"]
    assert sorted(titles("red -fox")) == ["Red whale"]


@postgres_only
def test_search_stems_english_words_and_ignores_case():
    article("Caching layers explained")
    article("Nothing here")

    assert titles("cached") == ["Caching layers explained"]
    assert titles("CACHES") == ["Caching layers explained"]


@postgres_only
def test_search_of_stop_words_or_punctuation_only_finds_nothing():
    article("The and of")
    assert titles("the of") == []
    assert titles("!!! ??? ...") == []
    assert titles('"" - or') == []


def test_search_of_unicode_text():
    article("Naïve café and 日本語 ✓")
    article("Plain")

    # Case folded beyond ASCII ("CAFÉ"); SQLite's LIKE folds ASCII only, so the text holds "café".
    assert titles("CAFÉ") == ["Naïve café and 日本語 ✓"]
    assert titles("日本語") == ["Naïve café and 日本語 ✓"]
    assert titles("🎉 emoji") == []


# ------------------------------------------------------------------------------
# Pages and cursors
# ------------------------------------------------------------------------------
def test_pages_cover_every_match_once():
    for number in range(7):
        article(f"Comet {number}")
    article("Asteroid")

    pages = list(every_page("comet", limit=3))

    assert [len(page) for page in pages] == [3, 3, 1]
    assert sorted(title for page in pages for title in page) == sorted(f"Comet {n}" for n in range(7))


def test_cursor_is_stable_when_articles_are_published_meanwhile(django_capture_on_commit_callbacks):
    author = UserFactory()
    for number in range(5):
        article(f"Nebula {number}", author=author)
    first = article_search_page(q="nebula", limit=2, cursor=None)

    with django_capture_on_commit_callbacks(execute=True):
        article_create(author=author, title="Nebula newest", description="d", body="b")
    rest = []
    cursor = first.next_cursor
    while cursor:
        page = article_search_page(q="nebula", limit=2, cursor=cursor)
        rest += [entry["data"]["title"] for entry in page.entries]
        cursor = page.next_cursor

    seen = [entry["data"]["title"] for entry in first.entries] + rest
    assert sorted(seen) == sorted(f"Nebula {n}" for n in range(5))  # none twice, none skipped, the new one later
    assert "Nebula newest" in titles("nebula")  # a new search shows it at once


@postgres_only
def test_only_the_newest_candidates_are_ranked(monkeypatch):
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 3)
    for number in range(5):
        article(f"Meteor {number}")

    pages = list(every_page("meteor", limit=2))

    assert sorted(title for page in pages for title in page) == ["Meteor 2", "Meteor 3", "Meteor 4"]


@pytest.fixture(autouse=True)
def _no_window_bound_of_another_test() -> Iterator[None]:
    """Each test's articles are its own: the window's bound a process keeps must not come from another's."""
    search._window_bounds.clear()
    yield
    search._window_bounds.clear()


def steps_taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The candidates steps the search runs from now on, in order (apps.articles.search._run_ranked)."""
    taken: list[str] = []
    run = search._run_ranked

    def recording(*args: Any, candidates: search.Candidates, **kwargs: Any) -> Any:
        taken.append(candidates)
        return run(*args, candidates=candidates, **kwargs)

    monkeypatch.setattr(search, "_run_ranked", recording)
    return taken


def pages_of_the_newest_directly(monkeypatch: pytest.MonkeyPatch, q: str) -> list[str]:
    """Every page of `q` from the newest matches of all, no other step tried: what every step must equal."""
    with monkeypatch.context() as directly:
        directly.setattr(search, "_has_phrase", lambda terms: False)
        directly.setattr(search, "_planned_share", lambda query, alias: (0.0, None))
        return [title for page in every_page(q, limit=2) for title in page]


@postgres_only
@pytest.mark.parametrize(
    ("walk_rows", "phrase", "steps"),
    [
        (1000, '"stop worrying"', ["walk"]),  # the walk finds every candidate
        (6, '"stop worrying"', ["walk"]),  # the 6 newest articles hold the 3 candidates, just
        (2, '"stop worrying"', ["walk", "any", "newest"]),  # the walk falls short, there are more than 3
        (1000, '"stop sign"', ["walk", "any"]),  # fewer matches than candidates: any are all of them
    ],
)
def test_a_phrase_finds_the_same_candidates_whichever_step_finds_them(monkeypatch, walk_rows, phrase, steps):
    # Each step of a phrase's search answers only when it found what the last step would find: the
    # pages are the same as from the newest matches directly. (The table is smaller than the window.)
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 3)
    monkeypatch.setattr(search, "PHRASE_WALK_ROWS", walk_rows)
    for number in range(4):
        article(f"Stop worrying {number}")
        article(f"Worrying stop {number}" if number else "Worrying stop sign")
    article("Stop worrying, the newest", body="stop worrying and stop worrying")
    taken = steps_taken(monkeypatch)

    found = [title for page in every_page(phrase, limit=2) for title in page]
    first_page_steps = taken[: len(steps)]

    assert found == pages_of_the_newest_directly(monkeypatch, phrase)  # the same pages, in the same order
    assert first_page_steps == steps
    if phrase == '"stop worrying"':
        assert sorted(found) == ["Stop worrying 2", "Stop worrying 3", "Stop worrying, the newest"]  # the newest 3
    else:
        assert found == ["Worrying stop sign"]


@postgres_only
@pytest.mark.parametrize(
    ("q", "planned_share", "window_rows", "steps"),
    [
        ("nebula", 0.04, 8, ["window"]),  # a word in the middle band: the window holds the 3 candidates
        ("nebula", 0.04, 4, ["window", "newest"]),  # the window's 4 articles hold 2 matches: too few
        ("nebula", 0.5, 8, ["newest"]),  # a common word: walking the newest-first index finds them soon
        ("nebula", 0.001, 8, ["newest"]),  # a rare word: the GIN index gives its few matches
        ('"red nebula"', 0.001, 8, ["window"]),  # a phrase that looks rare may be common: the window first
        ('"red nebula"', 0.001, 4, ["window", "any", "newest"]),
        ('"red nebula"', 0.5, 8, ["walk"]),  # a phrase of common words: the walk first
    ],
)
def test_the_window_of_the_newest_articles_finds_the_same_candidates(monkeypatch, q, planned_share, window_rows, steps):
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 3)
    monkeypatch.setattr(search, "SEARCH_WINDOW_ROWS", window_rows)
    monkeypatch.setattr(search, "estimated_matches", lambda query, alias: planned_share * 12)
    for number in range(6):  # matches and others, alternately: the 8 newest hold 4 matches, the 4 newest 2
        article(f"Red nebula {number}")
        article(f"Quasar {number}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")  # the table's planned rows (12), which the share is of
    taken = steps_taken(monkeypatch)

    found = [title for page in every_page(q, limit=2) for title in page]

    assert taken[: len(steps)] == steps
    assert found == pages_of_the_newest_directly(monkeypatch, q)
    assert sorted(found) == ["Red nebula 3", "Red nebula 4", "Red nebula 5"]


@postgres_only
def test_the_document_is_kept_in_the_table_pages():
    """Migration 0007: MAIN storage, so that a candidate's match and rank do not each read the TOAST table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'articles_article'::regclass"
            " AND attname = 'search_document'"
        )
        assert cursor.fetchall() == [("m",)]


@postgres_only
def test_the_window_bound_and_the_planned_matches_come_from_the_database(monkeypatch):
    created = [article(f"Pulsar {number}") for number in range(5)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")

    rows, since = search.window_stats("default", 2)
    estimate = search.estimated_matches(article_search_query(q="pulsar", limit=20, cursor=None), "default")

    assert rows == 5
    assert since == created[-2].created_at  # the second newest's
    assert search.window_stats("default", 6) == (5, None)  # fewer articles than the window
    assert 0 < estimate <= 5
    # A process keeps the bound for SEARCH_WINDOW_BOUND_SECONDS: an older one only widens the window.
    monkeypatch.setattr(search, "SEARCH_WINDOW_ROWS", 2)
    query = article_search_query(q="pulsar", limit=20, cursor=None)
    assert search._planned_share(query, "default") == (estimate / 5, since)
    article("Pulsar, newer")
    assert search._planned_share(query, "default")[1] == since


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "",
        "%%%",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        base64.urlsafe_b64encode(b"s1|1|0.5|2026-01-01T00:00:00+00:00").decode(),  # a part missing
        base64.urlsafe_b64encode(b"s2|1|0.5|2026-01-01T00:00:00+00:00|1").decode(),  # another kind
        base64.urlsafe_b64encode(b"s1|1|nan|2026-01-01T00:00:00+00:00|1").decode(),
        base64.urlsafe_b64encode(b"s1|1|inf|2026-01-01T00:00:00+00:00|1").decode(),
        base64.urlsafe_b64encode(b"s1|1|-1|2026-01-01T00:00:00+00:00|1").decode(),
        base64.urlsafe_b64encode(b"s1|1|0.5|2026-01-01T00:00:00|1").decode(),  # no time zone
        base64.urlsafe_b64encode(b"s1|0|0.5|2026-01-01T00:00:00+00:00|1").decode(),
        base64.urlsafe_b64encode(f"s1|1|0.5|2026-01-01T00:00:00+00:00|{2**63}".encode()).decode(),
        base64.urlsafe_b64encode(b"s1|1|0.5|2026-01-01T00:00:00+00:00|1\x00").decode(),
    ],
)
def test_a_tampered_cursor_is_invalid(cursor):
    article("Quasar")
    with pytest.raises(InvalidError) as raised:
        article_search_page(q="quasar", limit=20, cursor=cursor)
    assert (raised.value.field, raised.value.status_code) == ("cursor", 422)


def test_a_cursor_round_trips_exactly():
    position = SearchPosition(snapshot=42, rank=0.0607927, created_at=timezone.now(), id=7)
    assert search_cursor_decode(search_cursor_encode(position)) == position


# ------------------------------------------------------------------------------
# Hostile input
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "q",
    [
        "a\x00b",
        "\x00\x00 pulsar \x00",
        "'; DROP TABLE articles_article; --",
        "pulsar' OR '1'='1",
        "pulsar) | (!x & y:*",
        "<->:* & | ! ( ) \\",
        '"unclosed phrase pulsar',
        "- - - or or or",
        "%_%",
        "\u202epulsar\u202c",
        "x" * SEARCH_QUERY_MAX_LENGTH,
        "pulsar " * 28,
    ],
)
def test_hostile_queries_are_answered(q):
    article("Pulsar")
    page = article_search_page(q=q, limit=20, cursor=None)
    assert isinstance(page.entries, list)
    assert Article.objects.count() == 1
    if connection.vendor == "postgresql":  # the planner's estimate, asked for on a large table, takes them too
        assert search.estimated_matches(article_search_query(q=q, limit=20, cursor=None), "default") >= 0
    # A publish matches the new article against every registered text (apps.articles.search_registry).
    terms = search_terms(q)
    assert search_texts_matching(Article.objects.get().pk, [terms], "default") in ([], [terms])


def test_nul_bytes_and_control_characters_are_spaces():
    article("Pulsar timing")
    assert search_terms("pul\x00sar\u2028\x07 \t x") == "pul sar x"
    assert titles("\x00pulsar\x07") == ["Pulsar timing"]
    assert titles("timing\x00pulsar") == ["Pulsar timing"]


@pytest.mark.parametrize("q", ["", "   ", "\x00", "\t\n"])
def test_a_blank_query_is_invalid(q):
    with pytest.raises(InvalidError) as raised:
        article_search_page(q=q, limit=20, cursor=None)
    assert raised.value.field == "q"


def test_a_too_long_query_is_invalid():
    with pytest.raises(InvalidError) as raised:
        article_search_page(q="x" * (SEARCH_QUERY_MAX_LENGTH + 1), limit=20, cursor=None)
    assert raised.value.field == "q"
    assert search_terms("  " + "x" * SEARCH_QUERY_MAX_LENGTH + "  ")  # surrounding spaces do not count


@pytest.mark.parametrize("limit", [0, -1, 101])
def test_a_limit_out_of_bounds_is_invalid(limit):
    with pytest.raises(InvalidError) as raised:
        article_search_page(q="x", limit=limit, cursor=None)
    assert raised.value.field == "limit"


def slow_search(execute, sql, params, many, context):
    """An execute wrapper that makes the search statement sleep for a second."""
    if "websearch_to_tsquery" in sql:
        sql = re.sub(r"\bFROM c\b", "FROM pg_sleep(1), c", sql, count=1)
    return execute(sql, params, many, context)


@postgres_only
def test_a_search_that_runs_too_long_is_cancelled_and_invalid(monkeypatch):
    """The statement timeout (SEARCH_STATEMENT_TIMEOUT_MS) turns a runaway search into a 422, not a 500."""
    article("Magnetar")
    monkeypatch.setattr(search, "SEARCH_STATEMENT_TIMEOUT_MS", 50)

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        [(before,)] = cursor.fetchall()
    with connection.execute_wrapper(slow_search), pytest.raises(InvalidError) as raised:
        article_search_page(q="magnetar", limit=20, cursor=None)
    assert raised.value.field == "q"
    # The connection is usable, with its own timeout back.
    monkeypatch.setattr(search, "SEARCH_STATEMENT_TIMEOUT_MS", 2000)
    assert titles("magnetar") == ["Magnetar"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchall() == [(before,)]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_search_outside_a_transaction_is_one_statement_with_its_timeout(monkeypatch, django_assert_num_queries):
    """
    A request's search (API views are not atomic) sends the timeout and the search in one round trip:
    the timeout still cancels it, and it does not outlive that statement.
    """
    article("Magnetar")
    assert not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        [(before,)] = cursor.fetchall()
    query = article_search_query(q="magnetar", limit=20, cursor=None)
    search._planned_share(query, "default")  # the window's bound, which a process reads once a minute
    with django_assert_num_queries(1) as captured:
        rows = search.article_search_rows(query=query)
    assert captured.captured_queries[0]["sql"].startswith("SET LOCAL statement_timeout = 2000;")
    assert [row[0] for row in rows["rows"]] == list(Article.objects.values_list("id", flat=True))

    monkeypatch.setattr(search, "SEARCH_STATEMENT_TIMEOUT_MS", 50)
    with connection.execute_wrapper(slow_search), pytest.raises(InvalidError) as raised:
        search.article_search_rows(query=query)
    assert raised.value.field == "q"
    with connection.cursor() as cursor:  # usable, its own timeout back, no transaction left open
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchall() == [(before,)]
    assert connection.connection.info.transaction_status == 0  # idle


# ------------------------------------------------------------------------------
# The SQLite fallback
# ------------------------------------------------------------------------------
@sqlite_only
def test_the_fallback_matches_substrings_newest_first():
    article("Stars and planets")
    article("starship", body="STAR charts")
    article("Moon")

    assert titles("star") == ["starship", "Stars and planets"]
    assert titles("100%") == []  # LIKE's wildcards are escaped


def found(text: str) -> Q:
    return Q(title__icontains=text) | Q(description__icontains=text) | Q(body__icontains=text)


def test_search_condition_reads_the_search_box_syntax():
    assert search_condition('"red fox" -cat or dog') == (found("red fox") & ~found("cat")) | found("dog")
    assert search_condition('or ""') == Q(pk__in=[])


# ------------------------------------------------------------------------------
# Cached, and invalidated by every write that changes results
# ------------------------------------------------------------------------------
def asked_twice(q: str, **kwargs: Any) -> list[str]:
    """The second time a page is asked for, it is stored: a warm cache."""
    titles(q, **kwargs)
    return titles(q, **kwargs)


def test_a_repeated_search_is_served_from_the_cache(django_assert_num_queries):
    article("Aurora borealis")
    asked_twice("aurora")
    with django_assert_num_queries(0):
        assert titles("aurora") == ["Aurora borealis"]
    with django_assert_num_queries(0):
        assert titles("  AURORA ") == ["Aurora borealis"]  # the same normalized query


def test_a_publish_shows_in_search_results_at_once(django_capture_on_commit_callbacks):
    author = UserFactory()
    article("Eclipse one", author=author)
    assert asked_twice("eclipse") == ["Eclipse one"]

    with django_capture_on_commit_callbacks(execute=True):
        article_create(author=author, title="Eclipse two", description="d", body="b")

    assert sorted(titles("eclipse")) == ["Eclipse one", "Eclipse two"]


# A publish changes only the searches whose text the new article matches (apps.articles.search_registry).
MATCHED_BY_COMET = ["comet", "nebula or tail", "comet dust"]
NOT_MATCHED_BY_COMET = ["nebula", "comet -tail", '"tail comet"', "asteroid"]
needs_redis = pytest.mark.skipif(not redis_enabled(), reason="the registry of searched texts lives in Redis")


def titles_and_reloaded(q: str) -> tuple[list[str], bool]:
    """The first page's titles, and whether the database was read for them (not from the cache), as a request would."""
    with on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
        found = titles(q)
    return found, len(queries) > 0


def publish_comet() -> Article:
    return article_create(author=cast(User, UserFactory()), title="Comet tail", description="Ice.", body="Dust.")


def test_the_texts_a_new_article_matches_are_those_whose_search_finds_it():
    """What the publish matches is what the search finds, on PostgreSQL and on the fallback alike."""
    comet = publish_comet()
    article("Nebula")
    texts = MATCHED_BY_COMET + NOT_MATCHED_BY_COMET
    assert sorted(search_texts_matching(comet.pk, texts, "default")) == sorted(MATCHED_BY_COMET)
    assert [q for q in texts if "Comet tail" in titles(q)] == MATCHED_BY_COMET
    assert search_texts_matching(comet.pk, [], "default") == []


def test_a_publish_reloads_only_the_searches_it_matches(django_capture_on_commit_callbacks):
    article("Nebula")
    article("Asteroid")
    texts = MATCHED_BY_COMET + NOT_MATCHED_BY_COMET
    before = {q: asked_twice(q) for q in texts}

    with django_capture_on_commit_callbacks(execute=True):
        publish_comet()

    for q in MATCHED_BY_COMET:
        assert titles(q) == ["Comet tail", *before[q]]
    for q in NOT_MATCHED_BY_COMET:  # untouched, still cached; without Redis (no registry), all reloaded
        assert titles_and_reloaded(q) == (before[q], not redis_enabled())


@needs_redis
def test_a_publish_during_a_load_invalidates_what_that_load_stores(monkeypatch, django_capture_on_commit_callbacks):
    """
    The loader registers its text before it reads: a publish that commits after the read (and before
    the page is stored) sees the text, and the page stored without the new article is never served.
    """
    article("Nebula")
    assert titles("comet") == []  # seen once: the next ask loads and stores
    load = search.article_search_pages

    def load_then_publish(queries: Any, using: Any = None) -> Any:
        pages = load(queries, using)
        with django_capture_on_commit_callbacks(execute=True):
            publish_comet()
        return pages

    monkeypatch.setattr("apps.articles.caching.article_search_pages", load_then_publish)
    assert titles("comet") == []  # the page as it was when read
    monkeypatch.setattr("apps.articles.caching.article_search_pages", load)
    assert titles("comet") == ["Comet tail"]


@needs_redis
def test_a_text_leaves_the_registry_only_once_its_pages_were_invalidated(
    monkeypatch, django_capture_on_commit_callbacks
):
    article("Nebula")
    asked_twice("nebula")
    monkeypatch.setattr(search_registry, "FORGET_AFTER_SECONDS", -1)  # every text is due to be forgotten

    with django_capture_on_commit_callbacks(execute=True):
        publish_comet()  # matches no text, but forgets "nebula": its pages are bumped first

    assert search_registry.search_texts_due() == search_registry.DueTexts([], [], ANY_TIME, True)
    assert titles_and_reloaded("nebula") == (["Nebula"], True)  # registered again
    assert search_registry.search_texts_due().forgotten == ["nebula"]


class _AnyTime(int):
    def __eq__(self, other: object) -> bool:
        return isinstance(other, int)

    __hash__ = int.__hash__


ANY_TIME = _AnyTime()


@needs_redis
def test_a_lost_registry_invalidates_every_search(django_capture_on_commit_callbacks):
    """An evicted or flushed registry cannot tell which searches a publish changes: all of them, until marked again."""
    article("Nebula")
    asked_twice("nebula")
    cache.delete(search_registry.REGISTRY_KEY)

    with django_capture_on_commit_callbacks(execute=True):
        publish_comet()  # no marker: every search
    assert titles_and_reloaded("nebula") == (["Nebula"], True)  # its load marks the registry again
    asked_twice("nebula")

    with django_capture_on_commit_callbacks(execute=True):
        publish_comet()  # marked again: only what it matches
    assert titles_and_reloaded("nebula") == (["Nebula"], False)


@needs_redis
@pytest.mark.parametrize("limit", ["REGISTRY_MAX_TEXTS", "REGISTRY_MAX_SIZE"])
def test_too_many_searched_texts_invalidate_every_search_instead(
    monkeypatch, limit, django_capture_on_commit_callbacks
):
    """
    Abuse: distinct texts, each asked for twice (cached), would make every publish match them all, or
    grow the registry between publishes. Past a bound a publish bumps every search (as without Redis).
    """
    monkeypatch.setattr(search_registry, limit, 3)
    article("Nebula")
    for number in range(5):
        asked_twice(f"nebula {number}")
    asked_twice("nebula")

    with django_capture_on_commit_callbacks(execute=True):
        publish_comet()

    assert titles_and_reloaded("nebula") == (["Nebula"], True)  # though the new article does not match it


def test_an_edit_of_the_text_shows_in_search_results_at_once(django_capture_on_commit_callbacks):
    edited = article("Solstice")
    assert asked_twice("solstice") == ["Solstice"]
    assert asked_twice("equinox") == []

    with django_capture_on_commit_callbacks(execute=True):
        article_update(article=edited, changes={"body": "It was the equinox."})
    assert titles("equinox") == ["Solstice"]

    with django_capture_on_commit_callbacks(execute=True):
        article_update(article=edited, changes={"title": "Equinox"})
    assert titles("solstice") == []
    assert titles("equinox") == ["Equinox"]


def test_an_edit_of_tags_only_or_of_nothing_leaves_search_results_cached(django_capture_on_commit_callbacks):
    edited = article("Zenith")
    before = generations_get([SEARCH_ALL.key()])

    with django_capture_on_commit_callbacks(execute=True):
        article_update(article=edited, changes={"tag_list": ["sky"], "title": "Zenith"})

    assert generations_get([SEARCH_ALL.key()]) == before


def test_a_delete_shows_in_search_results_at_once(django_capture_on_commit_callbacks):
    doomed = article("Supernova")
    article("Supernova remnant")
    assert sorted(asked_twice("supernova")) == ["Supernova", "Supernova remnant"]

    with django_capture_on_commit_callbacks(execute=True):
        article_delete(article=doomed)

    assert titles("supernova") == ["Supernova remnant"]


def test_one_off_queries_store_nothing_but_a_marker():
    """Ref: #15. Millions of distinct queries must not push the entries everybody reads out of the cache."""
    article("Galaxy")
    hot = article_search_query(q="galaxy", limit=20, cursor=None)
    asked_twice("galaxy")
    assert cache.get(SEARCH.key(hot)) is not None

    one_offs = [article_search_query(q=f"galaxy {number}", limit=20, cursor=None) for number in range(200)]
    for query in one_offs:
        article_search_page(q=query.terms, limit=20, cursor=None)

    assert all(cache.get(SEARCH.key(query)) is None for query in one_offs)
    assert cache.get(SEARCH.key(hot)) is not None


@pytest.mark.skipif(not _v2_served(), reason="API v2 (/api/v2/articles) is not served by this tree")
def test_a_search_response_is_stored_in_front_of_django_only_from_its_second_request(monkeypatch):
    from apps.articles.views import ArticleListApi

    article("Dragons")
    article("Unicorns")
    reaching = gets_reaching(ArticleListApi, monkeypatch)
    path = "/api/v2/articles?q=dragons"

    first, second, third = wsgi_get(path), wsgi_get(path), wsgi_get(path)
    other = wsgi_get("/api/v2/articles?q=unicorns")

    assert [answer.status for answer in (first, second, third, other)] == [200, 200, 200, 200]
    assert first.body == second.body == third.body != other.body
    assert reaching == [path, path, "/api/v2/articles?q=unicorns"]  # the third answered in front of Django
    etags = [dict(answer.headers)["ETag"] for answer in (first, second, other)]
    assert etags[0].startswith('W/"')  # the first time: an ETag of its content, not of stamps
    assert len(set(etags)) == 3


# ------------------------------------------------------------------------------
# Abuse: distinct texts, each a database search (Ref: #15: a per-client throttle)
# ------------------------------------------------------------------------------
def v2_search(client: APIClient, q: str, **extra: Any) -> Any:
    return client.get("/api/v2/articles", {"q": q}, **extra)


def test_new_searches_are_limited_per_client_and_repeated_ones_are_not(settings, django_assert_num_queries):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "new_searches_client": "3/m"}
    article("Dragons of the north")
    client = APIClient()
    assert [v2_search(client, q).status_code for q in ("dragons", "north", "wyverns")] == [200, 200, 200]

    with django_assert_num_queries(0):  # refused before the database
        refused = v2_search(client, "basilisks")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["errors"] == {"throttle": [refused.json()["errors"]["throttle"][0]]}
    # Refused, it was not marked as seen: asking it again is a new search again, and refused again.
    assert v2_search(client, "basilisks").status_code == 429

    # Texts searched before are served (their second ask loads them once, then the cache answers).
    assert [v2_search(client, "dragons").status_code for _ in range(3)] == [200, 200, 200]
    # Another address, and a signed-in user at this one, count apart.
    assert v2_search(client, "basilisks", REMOTE_ADDR="192.0.2.7").status_code == 200
    assert v2_search(client_for(UserFactory()), "griffins").status_code == 200
