"""
Full-text search over articles (API v2's `GET /articles?q=`): the selector behind the cached
`apps.articles.caching.article_search_page`.

- **PostgreSQL**: each article's title (weight A), description (B) and body (C) are one stored
  `tsvector`, `Article.search_document`, computed by the database on every write and indexed by GIN
  (`articles_search_idx`). A query is parsed by `websearch_to_tsquery` (the syntax of search boxes:
  `"a phrase"`, `or`, `-word`; it never fails on any input) with the same English configuration
  (stemming: "caching" finds "cached"; stop words ignored), and ranked by `ts_rank`, then newest,
  then id.
- **Bounded work**: only the newest `SEARCH_CANDIDATES` matches are ranked. A word that half the
  articles contain matches 500,000 rows at 1M: reading and ranking them all costs seconds; the newest
  1,000 are found by walking the newest-first index (or, for a rarer word, by the GIN index and a
  top-N sort), then ranked: milliseconds (docs/search.md). Where both plans are slow (a word in a
  few percent of the articles, a phrase, whose estimate misleads), cheaper steps come first: a window
  of the newest articles, a walk of them, any matches (`_ranked_rows`). A statement timeout guards
  the rest.
- **Cursor**: a position in the ranking (rank, creation time, id) plus the *snapshot*, the greatest
  id among the first page's candidates: later pages rank the same candidates (articles published
  since stay out of them), so pages neither repeat nor skip when articles are published meanwhile.
- **SQLite** (the embedded default) has no text search: every word must occur in the title, the
  description or the body (case-insensitive substring), `-word` must not, `or` separates
  alternatives, quotes keep a phrase; newest first (rank 0), the same cursor.
"""

import base64
import math
import re
import time
import unicodedata
from datetime import datetime
from typing import Any, Literal, NamedTuple, TypedDict

from django.db import OperationalError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, Q, Value, When

from apps.articles.models import SEARCH_CONFIG, Article
from apps.core.exceptions import InvalidError

SEARCH_QUERY_MAX_LENGTH = 200  # characters, after normalization (the v2 contract's bound on `q`)
SEARCH_LIMIT_MAX = 100  # as every list's `limit`
# How many of the newest matches are ranked: the results span them (docs/search.md, "Bounded work").
SEARCH_CANDIDATES = 1_000
# A search statement that runs longer is cancelled and answered 422 ("too broad"), never a 500.
SEARCH_STATEMENT_TIMEOUT_MS = 2_000
MAX_ID = 2**63 - 1  # ids are BIGINT
_CURSOR_PREFIX = "s1"
_SPACES = re.compile(r"\s+")


class SearchPosition(NamedTuple):
    """Where a page of results starts: after (rank, created_at, id), among the candidates up to `snapshot`."""

    snapshot: int
    rank: float
    created_at: datetime
    id: int


class ArticleSearchQuery(NamedTuple):
    """One page of a search: `terms` (normalized), its size, and its cursor (canonical, None: the first page)."""

    limit: int
    cursor: str | None
    terms: str  # last: a key joins the parts with "|", which `terms` may contain


# A result: id, author id, creation time (ISO, full precision: the cursor's), rank.
SearchRow = tuple[int, int, str, float]


class ArticleSearchRows(TypedDict):
    """A page of results without the articles: `limit` + 1 rows (one more if a next page exists), and the snapshot."""

    rows: list[SearchRow]
    snapshot: int


# ------------------------------------------------------------------------------
# Input
# ------------------------------------------------------------------------------
def search_terms(q: str) -> str:
    """
    `q` as searched and as keyed in the cache: control characters (NUL included: PostgreSQL's text
    cannot hold it) as spaces, runs of whitespace as one space, stripped, lower case (the search is
    case-insensitive: "Django" and "django" share one cache entry). InvalidError("q") if nothing is
    left or more than SEARCH_QUERY_MAX_LENGTH characters are.
    """
    cleaned = "".join(" " if unicodedata.category(char).startswith("C") else char for char in q)
    terms = _SPACES.sub(" ", cleaned).strip().lower()
    if not terms:
        raise InvalidError("q", "can't be blank")
    if len(terms) > SEARCH_QUERY_MAX_LENGTH:
        raise InvalidError("q", f"is too long (maximum is {SEARCH_QUERY_MAX_LENGTH} characters)")
    return terms


def search_cursor_encode(position: SearchPosition) -> str:
    """An opaque cursor for the page after `position`."""
    raw = f"{_CURSOR_PREFIX}|{position.snapshot}|{position.rank!r}|{position.created_at.isoformat()}|{position.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def search_cursor_decode(value: str) -> SearchPosition:
    """The position a cursor names; InvalidError("cursor") when it is not one of ours, whatever it holds."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        prefix, snapshot, rank, created_at, id_ = raw.split("|")
        position = SearchPosition(int(snapshot), float(rank), datetime.fromisoformat(created_at), int(id_))
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        raise InvalidError("cursor", "is not a valid cursor") from None
    valid = (
        prefix == _CURSOR_PREFIX
        and 0 < position.id <= MAX_ID
        and 0 < position.snapshot <= MAX_ID
        and math.isfinite(position.rank)
        and 0 <= position.rank < 1e6
        and position.created_at.tzinfo is not None
    )
    if not valid:
        raise InvalidError("cursor", "is not a valid cursor")
    return position


def article_search_query(*, q: str, limit: int, cursor: str | None) -> ArticleSearchQuery:
    """The validated, normalized query (InvalidError for `q`, `limit` or `cursor`); its cursor re-encoded."""
    terms = search_terms(q)
    if not 1 <= limit <= SEARCH_LIMIT_MAX:
        raise InvalidError("limit", f"must be between 1 and {SEARCH_LIMIT_MAX}")
    canonical = None if cursor is None else search_cursor_encode(search_cursor_decode(cursor))
    return ArticleSearchQuery(limit=limit, cursor=canonical, terms=terms)


# ------------------------------------------------------------------------------
# The search
# ------------------------------------------------------------------------------
def article_search_pages(
    queries: list[ArticleSearchQuery], using: str | None = None
) -> dict[ArticleSearchQuery, ArticleSearchRows]:
    """Each query's page of results (the cached entry's loader)."""
    return {query: article_search_rows(query=query, using=using) for query in queries}


def article_search_rows(*, query: ArticleSearchQuery, using: str | None = None) -> ArticleSearchRows:
    """The results of one page of `query`: `limit` + 1 rows when a next page exists."""
    after = None if query.cursor is None else search_cursor_decode(query.cursor)
    alias = using or Article.objects.db
    if connections[alias].vendor == "postgresql":
        return _ranked_rows(query, after, alias)
    return _substring_rows(query, after, alias)


def _ranked_rows(query: ArticleSearchQuery, after: SearchPosition | None, alias: str) -> ArticleSearchRows:
    """
    PostgreSQL: the newest SEARCH_CANDIDATES matches (up to the snapshot), ranked; the page after
    `after`. The snapshot of a first page is the greatest id among its candidates (a window over them).

    Where the planner would find them slowly, the candidates are first looked for in cheaper steps,
    each of which answers only when it has found exactly what the last would (docs/search.md,
    "Choosing the step"): the window of the newest articles (when it holds enough matches, they are
    the newest), the walk of the newest PHRASE_WALK_ROWS articles (the same), any SEARCH_CANDIDATES
    matches (when there are fewer, they are all of them); then the newest matches of all.
    """
    share, since = _planned_share(query, alias)
    low, high = SEARCH_WINDOW_BAND
    phrase = _has_phrase(query.terms)
    windowed = since is not None and share < high and (phrase or share >= low)
    if windowed:
        count, found = _run_ranked(query, after, alias, candidates="window", since=since)
        if count >= SEARCH_CANDIDATES:
            return _ranked_page(found, after)
    if phrase:
        if not windowed:  # (the walk's articles are within the window's: it would fall short too)
            count, found = _run_ranked(query, after, alias, candidates="walk")
            if count >= SEARCH_CANDIDATES:
                return _ranked_page(found, after)
        count, found = _run_ranked(query, after, alias, candidates="any")
        if count < SEARCH_CANDIDATES:
            return _ranked_page(found, after)
    return _ranked_page(_run_ranked(query, after, alias, candidates="newest")[1], after)


# The newest matches of a word in a few percent of the articles are slow to find either way the planner
# can: walking the newest-first index meets one in 25 articles, and the GIN index gives all of them
# (40,000 at 1M) to be sorted by date. Within a window of the newest articles, PostgreSQL intersects the
# two indexes instead (a BitmapAnd): 46 to 58 ms down to 18 to 23 ms at 1M (docs/search.md). The window
# is tried for the texts whose planned matches are this share of the table's rows: above it the walk is
# quick, below it the matches are few (and a word's estimate there is the planner's floor for words it
# keeps no statistics of, so it is no evidence of a middle band).
SEARCH_WINDOW_ROWS = 30_000
SEARCH_WINDOW_BAND = (0.01, 0.06)
# How long a process trusts the window's bound (and the table's planned rows) before reading them again
# (5 ms): an older bound only makes the window a little larger, never the results different.
SEARCH_WINDOW_BOUND_SECONDS = 60
# A phrase's words are estimated as independent, so a phrase of words that mostly occur together looks
# far rarer than it is ("stop worrying": 71,805 matches at 1M, estimated 14 times fewer), and a phrase
# of common words that rarely occur together looks common (the walk of the whole table, to the timeout,
# for "postgresql indexes"). So a phrase is never left to the planner's choice: the window (a rare or
# middling estimate) or the walk of this many newest articles (a common one: its words are) finds a
# common phrase's newest matches, and the GIN index all of a rare one's, before the newest of all.
PHRASE_WALK_ROWS = 20_000
_PHRASE = re.compile(r'"[^"]*\w\W+\w[^"]*"|\w-\w')  # quoted words, or hyphenated ones (a phrase too)
# (id, author id, creation time, rank, snapshot)
_RankedRow = tuple[int, int, datetime, float, int]
Candidates = Literal["newest", "any", "walk", "window"]
_TSQUERY = "websearch_to_tsquery(%s::regconfig, %s)"  # parameters: SEARCH_CONFIG, the terms
_MATCH = f"a.search_document @@ {_TSQUERY}"
# alias: (until when, in time.monotonic(), the table's planned rows and the window's bound)
_window_bounds: dict[str, tuple[float, float, datetime | None]] = {}


def _planned_share(query: ArticleSearchQuery, alias: str) -> tuple[float, datetime | None]:
    """
    The share of the articles the planner expects `query` to match, and the window's bound: the
    creation time of the SEARCH_WINDOW_ROWS-th newest article (None, and no estimate asked for, while
    the table holds fewer).
    """
    now = time.monotonic()
    known = _window_bounds.get(alias)
    if known is None or known[0] <= now:
        known = _window_bounds[alias] = (now + SEARCH_WINDOW_BOUND_SECONDS, *window_stats(alias, SEARCH_WINDOW_ROWS))
    _, rows, since = known
    if since is None or rows <= 0:  # (reltuples is -1 until the table was first analyzed)
        return 0.0, None
    return estimated_matches(query, alias) / rows, since


def _has_phrase(terms: str) -> bool:
    return _PHRASE.search(terms) is not None


def _run_ranked(
    query: ArticleSearchQuery,
    after: SearchPosition | None,
    alias: str,
    *,
    candidates: Candidates,
    since: datetime | None = None,
) -> tuple[int, list[_RankedRow]]:
    """
    How many candidates were found, and the page's rows, the candidates being (`candidates`) the
    newest SEARCH_CANDIDATES matches ("newest"), any of them ("any"), the newest among the newest
    PHRASE_WALK_ROWS articles ("walk"), or the newest among the articles created `since` ("window").
    """
    table = Article._meta.db_table
    rank = f"ts_rank(c.search_document, {_TSQUERY}, 1)"  # 1: divided by 1 + log(length): long bodies win less
    snapshot_bound = "AND a.id <= %s" if after else ""
    # ts_rank is a `real`; the cursor holds its shortest decimal form, which is that `real` again only as a `real`.
    keyset = f"WHERE ({rank}, c.created_at, c.id) < (%s::real, %s, %s)" if after else ""
    columns = "a.id, a.author_id, a.created_at, a.search_document"
    newest = "ORDER BY a.created_at DESC, a.id DESC"
    params: list[str | int | float | datetime | None] = []
    snapshot = [after.snapshot] if after else []
    if candidates == "walk":
        found = f"""
            SELECT a.* FROM (
                SELECT {columns} FROM {table} a WHERE TRUE {snapshot_bound} {newest} LIMIT %s
            ) a
            WHERE {_MATCH} {newest} LIMIT %s
        """
        params += [*snapshot, PHRASE_WALK_ROWS, SEARCH_CONFIG, query.terms]
    elif candidates == "window":
        # The bound as a value, not a subquery: PostgreSQL can then weigh the date range against the
        # match and intersect the two indexes (a BitmapAnd).
        found = f"""
            SELECT {columns} FROM {table} a WHERE {_MATCH} AND a.created_at >= %s {snapshot_bound} {newest} LIMIT %s
        """
        params += [SEARCH_CONFIG, query.terms, since, *snapshot]
    else:
        order = newest if candidates == "newest" else ""
        found = f"SELECT {columns} FROM {table} a WHERE {_MATCH} {snapshot_bound} {order} LIMIT %s"
        params += [SEARCH_CONFIG, query.terms, *snapshot]
    params += [SEARCH_CANDIDATES, SEARCH_CONFIG, query.terms]
    if after:
        params += [SEARCH_CONFIG, query.terms, after.rank, after.created_at, after.id]
    params.append(query.limit + 1)
    # One row even when the page is empty: the candidates' count, then the page's columns (null then).
    # Only the table's name and fixed clauses are formatted in; every value is a parameter.
    sql = f"""
        WITH c AS MATERIALIZED ({found}),
        page AS (
            SELECT c.id, c.author_id, c.created_at, {rank} AS rank, max(c.id) OVER () AS snapshot
            FROM c
            {keyset}
            ORDER BY rank DESC, c.created_at DESC, c.id DESC
            LIMIT %s
        )
        SELECT (SELECT count(*) FROM c), page.* FROM (SELECT 1) AS one LEFT JOIN page ON TRUE
        ORDER BY page.rank DESC, page.created_at DESC, page.id DESC
    """
    try:
        rows = _with_statement_timeout(connections[alias], sql, params)
    except OperationalError as error:  # the timeout (QueryCanceled); the savepoint or transaction is rolled back
        if getattr(error.__cause__, "sqlstate", None) != "57014":
            raise
        raise InvalidError("q", "is too broad to search in time: add words, or quote a phrase") from None
    return rows[0][0], [row[1:] for row in rows if row[1] is not None]


def _with_statement_timeout(connection: BaseDatabaseWrapper, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """
    The rows of `sql`, cancelled after SEARCH_STATEMENT_TIMEOUT_MS (OperationalError, sqlstate 57014).

    Outside a transaction (a request's read: API views are not atomic) this is one round trip:
    PostgreSQL runs a string of several statements as one implicit transaction, in which `SET LOCAL`
    holds for the statements after it and ends with it. That takes client-side parameter binding
    (Django's default for psycopg 3), which may send several statements at once. Otherwise the
    setting is changed and restored inside a transaction or savepoint: four or five round trips.
    """
    binds_on_server = connection.settings_dict.get("OPTIONS", {}).get("server_side_binding", False)
    if not connection.in_atomic_block and not binds_on_server:
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {int(SEARCH_STATEMENT_TIMEOUT_MS)}; {sql}", params)
            cursor.nextset()  # past the SET's empty result
            return cursor.fetchall()
    nested = connection.in_atomic_block
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, true)",
            [f"{SEARCH_STATEMENT_TIMEOUT_MS}ms"],
        )
        [(previous, _)] = cursor.fetchall()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if nested:  # a savepoint: the setting would outlive it, until the outer transaction ends
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    return rows


def estimated_matches(query: ArticleSearchQuery, alias: str) -> float:
    """How many articles the planner expects `query` to match (planning only: EXPLAIN, no execution)."""
    table = Article._meta.db_table
    sql = f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} a WHERE {_MATCH}"
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [SEARCH_CONFIG, query.terms])
        [(plan,)] = cursor.fetchall()
    return float(plan[0]["Plan"]["Plan Rows"])


def window_stats(alias: str, rows: int) -> tuple[float, datetime | None]:
    """The planner's count of articles, and the creation time of the `rows`-th newest (None: fewer)."""
    table = Article._meta.db_table
    sql = f"""
        SELECT (SELECT reltuples FROM pg_class WHERE oid = %s::regclass),
               (SELECT created_at FROM {table} ORDER BY created_at DESC, id DESC OFFSET %s LIMIT 1)
    """
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [table, rows - 1])
        [(count, since)] = cursor.fetchall()
    return float(count), since


def search_texts_matching(article_id: int, texts: list[str], using: str) -> list[str]:
    """
    Those of `texts` (normalized terms) that the article matches, as the search matches them: the texts
    whose results a new article may change (apps.articles.search_registry). A few hundred in one query.
    """
    if not texts:
        return []
    if connections[using].vendor != "postgresql":
        return _substring_texts_matching(article_id, texts, using)
    table = Article._meta.db_table
    sql = f"""
        SELECT t.text FROM {table} a, unnest(%s::text[]) AS t(text)
        WHERE a.id = %s AND a.search_document @@ websearch_to_tsquery(%s::regconfig, t.text)
    """
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [texts, article_id, SEARCH_CONFIG])
        return [text for (text,) in cursor.fetchall()]


_SUBSTRING_TEXTS_PER_QUERY = 100  # one column each, well within SQLite's limits


def _substring_texts_matching(article_id: int, texts: list[str], using: str) -> list[str]:
    """SQLite: the texts whose `search_condition` the article meets, one column per text."""
    matching = []
    for start in range(0, len(texts), _SUBSTRING_TEXTS_PER_QUERY):
        chunk = texts[start : start + _SUBSTRING_TEXTS_PER_QUERY]
        columns = {
            f"text_{index}": Case(When(search_condition(text), then=Value(True)), default=Value(False))
            for index, text in enumerate(chunk)
        }
        found = Article.objects.using(using).filter(pk=article_id).annotate(**columns).values_list(*columns)
        for row in found:
            matching += [text for text, matches in zip(chunk, row, strict=True) if matches]
    return matching


def _ranked_page(found: list[_RankedRow], after: SearchPosition | None) -> ArticleSearchRows:
    rows = [(pk, author_id, created_at.isoformat(), float(rank)) for pk, author_id, created_at, rank, _ in found]
    snapshot = after.snapshot if after else (found[0][4] if found else 0)
    return {"rows": rows, "snapshot": snapshot}


def _substring_rows(query: ArticleSearchQuery, after: SearchPosition | None, alias: str) -> ArticleSearchRows:
    """SQLite: the matches by substring (search_condition), newest first; rank 0, no snapshot bound."""
    articles = Article.objects.using(alias).filter(search_condition(query.terms))
    if after:
        articles = articles.filter(created_at__lte=after.created_at).exclude(
            created_at=after.created_at, id__gte=after.id
        )
    found = articles.order_by("-created_at", "-id").values_list("pk", "author_id", "created_at")[: query.limit + 1]
    return {
        "rows": [(pk, author_id, created_at.isoformat(), 0.0) for pk, author_id, created_at in found],
        "snapshot": MAX_ID,
    }


def search_condition(terms: str) -> Q:
    """
    The search box's syntax as substring conditions (the fallback without text search): words and
    "quoted phrases" must all occur, `-word` must not, `or` separates alternatives.
    """
    alternatives: list[Q] = []
    current: Q | None = None
    for negated, phrase, word in re.findall(r'(-?)(?:"([^"]*)"?|([^\s"]+))', terms):
        text = phrase if phrase else word
        if not phrase and text == "or":
            if current is not None:
                alternatives.append(current)
            current = None
            continue
        if not text.strip():
            continue
        found = Q(title__icontains=text) | Q(description__icontains=text) | Q(body__icontains=text)
        condition = ~found if negated else found
        current = condition if current is None else current & condition
    if current is not None:
        alternatives.append(current)
    if not alternatives:
        return Q(pk__in=[])  # nothing to look for: no result, as PostgreSQL's empty query
    combined = alternatives[0]
    for alternative in alternatives[1:]:
        combined |= alternative
    return combined
