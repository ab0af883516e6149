"""
The cached reads of articles (apps.caching.reads), split by how often each part changes:

- a list page is its *membership*: ids (with author ids and creation times) and the list's count,
  one entry per filter and page, invalidated only by what changes that filter's set: a publish
  (the list of all articles, the author's, its tags'), a favorite (the favoriter's `favorited=`
  list), a retag (the tags' lists), a delete (every list: deletes are rare);
- an article's *content* (title, description, body, tags, dates) by id, invalidated by its edits;
- its favorites count by id, invalidated by a favorite of that article only;
- its author's profile by user id (apps.profiles.caching), invalidated by that profile's edit;
- a page of search results (ids and ranks) per normalized query, page size and cursor, invalidated by
  a publish only when the new article matches its text (apps.articles.search_registry), by any
  delete, and by an edit of a title, description or body; cached only once the same page was asked
  for twice (`article_search_page`).

A page is read in two round trips (membership, then every id's parts in one multi-get), and
whatever changed is reloaded by primary key. Counts come from counter rows (apps.articles.counts).
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.db import router, transaction

from apps.articles.models import Article
from apps.articles.search import (
    SEARCH_STATEMENT_TIMEOUT_MS,
    ArticleSearchQuery,
    ArticleSearchRows,
    SearchPosition,
    article_search_pages,
    article_search_query,
    article_search_rows,
    search_cursor_encode,
    search_texts_matching,
)
from apps.articles.search_registry import (
    search_registry_mark,
    search_texts_due,
    search_texts_forget,
    search_texts_register,
)
from apps.articles.selectors import (
    ArticleIdPage,
    ArticleListQuery,
    ArticlePage,
    ArticleRow,
    article_favorites_counts,
    article_id_pages,
    article_page,
    article_parts,
    article_refs_by_slug,
)
from apps.caching.generations import key_part, pending_invalidations, run_cache_operation
from apps.caching.reads import VIEWER, CachedEntry, Loaded, Stamp, invalidation, read_many, read_uncached, single
from apps.core.exceptions import NotFoundError
from apps.core.types import Entry, EntryPage
from apps.profiles.caching import PROFILE
from apps.users.caching import USERNAME

ARTICLE_LIST_TTL = 300
ARTICLE_TTL = 600
# Search pages are many (any text, any page) and each is asked for less often than a list page: a
# short life bounds what one-off queries hold in the cache, which they are kept out of anyway until
# asked for twice within ARTICLE_SEARCH_SEEN_TTL (`article_search_page`).
ARTICLE_SEARCH_TTL = 60
ARTICLE_SEARCH_SEEN_TTL = 300

# ------------------------------------------------------------------------------
# Stamps
# ------------------------------------------------------------------------------
ARTICLE = Stamp("article")  # an article's content, by id: its edits (and deletion)
ARTICLE_FAVORITES = Stamp("article-favorites")  # an article's favorites count, by id
ARTICLE_SLUG = Stamp("article-slug")  # which article a slug names: publish and delete
LIST_ALL = Stamp("list-all")  # the membership of the list of all articles
LIST_AUTHOR = Stamp("list-author")  # ... of an author's, by username
LIST_TAG = Stamp("list-tag")  # ... of a tag's, by name
LIST_FAVORITED = Stamp("list-favorited")  # ... of a user's favorites, by username
LIST_DELETES = Stamp("list-deletes")  # any article deleted: every list loses it
# Every search page: bumped when what any article says changed (an edit of its title, description or
# body), and by a publish whose matching searches are not known (apps.articles.search_registry). A
# delete bumps LIST_DELETES, which the search depends on too.
SEARCH_ALL = Stamp("search-all")
# The search pages of one text, by its normalized terms: bumped by a publish of an article that matches
# it, and when the registry forgets it.
SEARCH_TEXT = Stamp("search-text")
# Which articles an author has, by author id: their publishes and deletes (a personal feed depends on
# those of each author its reader follows: apps.feeds.caching).
AUTHOR_ARTICLES = Stamp("author-articles")


# ------------------------------------------------------------------------------
# Entries
# ------------------------------------------------------------------------------
def _list_entry(name: str, *depends_on: tuple[Stamp, Any]) -> CachedEntry[ArticleListQuery, ArticleIdPage]:
    return CachedEntry(
        name=name,
        ttl=ARTICLE_LIST_TTL,
        load=article_id_pages,
        depends_on=(*depends_on, (LIST_DELETES, single)),
    )


def _by_author(query: ArticleListQuery) -> str | None:
    return query.author


def _by_favoriter(query: ArticleListQuery) -> str | None:
    return query.favorited


def _by_tag(query: ArticleListQuery) -> str | None:
    return query.tag


# One kind per filter, so that each depends only on its own set (the invalidation matrix shows it).
LIST = _list_entry("articles.list", (LIST_ALL, single))
LIST_BY_TAG = _list_entry("articles.list.tag", (LIST_TAG, _by_tag))
LIST_BY_AUTHOR = _list_entry("articles.list.author", (LIST_AUTHOR, _by_author), (USERNAME, _by_author))
LIST_BY_FAVORITER = _list_entry("articles.list.favorited", (LIST_FAVORITED, _by_favoriter), (USERNAME, _by_favoriter))
LIST_COMBINED = _list_entry(
    "articles.list.combined",
    (LIST_TAG, _by_tag),
    (LIST_AUTHOR, _by_author),
    (USERNAME, _by_author),
    (LIST_FAVORITED, _by_favoriter),
    (USERNAME, _by_favoriter),
)


def _content_entry(name: str, *, with_body: bool) -> CachedEntry[int, dict[str, Any] | None]:
    return CachedEntry(
        name=name,
        ttl=ARTICLE_TTL,
        load=lambda ids, using: _contents_with_parts(ids, with_body=with_body, using=using),
        depends_on=((ARTICLE, lambda article_id: article_id),),
    )


def _contents_with_parts(ids: list[int], *, with_body: bool, using: str | None) -> Loaded[int, dict[str, Any] | None]:
    """The contents, with the favorites counts and authors' profiles their rows gave (read_many uses them)."""
    parts = article_parts(ids, with_body=with_body, using=using)
    return Loaded(parts.contents, {FAVORITES_COUNT.name: parts.favorites_counts, PROFILE.name: parts.author_profiles})


# What lists show of an article (no body), and all of it; with its author's id.
SUMMARY = _content_entry("articles.summary", with_body=False)
FULL = _content_entry("articles.full", with_body=True)
FAVORITES_COUNT = CachedEntry[int, int | None](
    name="articles.favorites_count",
    ttl=ARTICLE_TTL,
    load=lambda ids, using: article_favorites_counts(ids, using=using),
    depends_on=((ARTICLE_FAVORITES, lambda article_id: article_id),),
)
# The (id, author id) of the article at a slug; None: there is none.
BY_SLUG = CachedEntry[str, tuple[int, int] | None](
    name="articles.by_slug",
    ttl=ARTICLE_TTL,
    load=lambda slugs, using: article_refs_by_slug(slugs, using=using),
    depends_on=((ARTICLE_SLUG, lambda slug: slug),),
)


def _search_pages_registered(
    queries: list[ArticleSearchQuery], using: str | None
) -> dict[ArticleSearchQuery, ArticleSearchRows]:
    """SEARCH's loader: registers the texts before reading the database (apps.articles.search_registry)."""
    if not search_texts_register({query.terms for query in queries}):
        article_searches_changed(every=True)
        transaction.on_commit(search_registry_mark)  # after the bump (at once outside a transaction)
    return article_search_pages(queries, using)


# A page of search results (ids, author ids, ranks) by (page size, cursor, normalized query).
SEARCH = CachedEntry[ArticleSearchQuery, ArticleSearchRows](
    name="articles.search",
    ttl=ARTICLE_SEARCH_TTL,
    load=_search_pages_registered,
    depends_on=((LIST_DELETES, single), (SEARCH_ALL, single), (SEARCH_TEXT, lambda query: query.terms)),
    # A search page can take hundreds of milliseconds to load at 1M articles (a phrase), and a publish
    # may invalidate many: when a popular one is missed, one process loads it and the others wait for
    # its result (up to the statement timeout) instead of running it too.
    single_flight=SEARCH_STATEMENT_TIMEOUT_MS / 1000,
)


def article_search_seen_cache_key(query: ArticleSearchQuery) -> str:
    """The marker of a search page asked for once in the last ARTICLE_SEARCH_SEEN_TTL seconds (a few bytes)."""
    cursor = query.cursor or ""
    return f"articles:search-seen:{key_part(f'{query.limit}|{cursor}|{query.terms}')}"


# ------------------------------------------------------------------------------
# Reads
# ------------------------------------------------------------------------------
def article_list_page(*, query: ArticleListQuery) -> ArticlePage:
    """One page of the article list as shared entries, its count and the next page's cursor."""
    [pages] = read_many([(_list_kind(query), [query])])
    page = pages[query]
    rows = page["rows"]
    return article_page(article_entries(rows[: query.limit]), rows, page["count"], limit=query.limit)


def _list_kind(query: ArticleListQuery) -> CachedEntry[ArticleListQuery, ArticleIdPage]:
    filters = [name for name in ("tag", "author", "favorited") if getattr(query, name)]
    if not filters:
        return LIST
    if len(filters) > 1:
        return LIST_COMBINED
    return {"tag": LIST_BY_TAG, "author": LIST_BY_AUTHOR, "favorited": LIST_BY_FAVORITER}[filters[0]]


def article_search_page(
    *, q: str, limit: int, cursor: str | None, before_database: Callable[[], None] = lambda: None
) -> EntryPage:
    """
    One page of the search for `q` (apps.articles.search): the shared article entries, best match
    first, and the next page's cursor. InvalidError for a blank or too long `q`, a `limit` out of
    bounds or a cursor that is not one of ours.

    Cache pressure: any text is a new query, so a client sending distinct ones could fill the cache
    with pages nobody asks for again and push out the entries everybody reads. A page is therefore
    stored only when asked for a second time within ARTICLE_SEARCH_SEEN_TTL: the first time leaves
    a marker of a few bytes and reads the database (its response is then neither stored nor given a
    stamp ETag: `read_uncached`); repeated searches are cached like the lists, for ARTICLE_SEARCH_TTL.

    `before_database()` is called before a first-time search reads the database: the caller's
    throttle of such searches (apps.api.throttling.NewSearchThrottle) raises there, and the page is
    then not marked as seen. A text's second ask (cached from then on) is not counted: each counted
    search costs the database at most twice.
    """
    query = article_search_query(q=q, limit=limit, cursor=cursor)
    seen_key = article_search_seen_cache_key(query)
    first_time = run_cache_operation("add", seen_key, 1, ARTICLE_SEARCH_SEEN_TTL, default=None)
    if first_time:
        try:
            before_database()
        except BaseException:  # refused: not seen, so that asking again is a first time again, and refused too
            run_cache_operation("delete", seen_key, default=None)
            raise
        read_uncached()
        page = article_search_rows(query=query)
    else:  # asked before, or the cache is down (read_many then reads the database)
        [pages] = read_many([(SEARCH, [query])])
        page = pages[query]
    rows = page["rows"]
    entries = article_entries([(article_id, author_id, "") for article_id, author_id, _, _ in rows[:limit]])
    next_cursor = None
    if len(rows) > limit:
        article_id, _, created_at, rank = rows[limit - 1]
        position = SearchPosition(page["snapshot"], rank, datetime.fromisoformat(created_at), article_id)
        next_cursor = search_cursor_encode(position)
    return EntryPage(entries=entries, next_cursor=next_cursor)


def article_entries(rows: list[ArticleRow], *, with_body: bool = False) -> list[Entry]:
    """
    The shared entries (`{"id", "author_id", "data"}`) of these listed articles: content, favorites
    count and author's profile read in one round trip. An article deleted since its row was read is
    left out.
    """
    ids = [article_id for article_id, _, _ in rows]
    author_ids = [author_id for _, author_id, _ in rows]
    contents, counts, profiles = read_many(
        [(FULL if with_body else SUMMARY, ids), (FAVORITES_COUNT, ids), (PROFILE, author_ids)]
    )
    entries = []
    for article_id, author_id, _ in rows:
        content = contents.get(article_id)
        if content is None or profiles.get(author_id) is None:
            continue
        data = {key: value for key, value in content.items() if key != "author_id"}
        data["favoritesCount"] = counts.get(article_id) or 0
        data["author"] = profiles[author_id]
        entries.append({"id": article_id, "author_id": author_id, "data": data})
    return entries


def article_detail(*, slug: str) -> Entry:
    """The shared entry of the article at `slug`, body included; NotFoundError if there is none."""
    article_id, author_id = article_ref(slug=slug)
    entries = article_entries([(article_id, author_id, "")], with_body=True)
    if not entries:
        raise NotFoundError("article")
    return entries[0]


def article_ref(*, slug: str) -> tuple[int, int]:
    """The (id, author id) of the article at `slug`; NotFoundError if there is none."""
    [refs] = read_many([(BY_SLUG, [slug])])
    ref = refs.get(slug)
    if ref is None:
        raise NotFoundError("article")
    return ref


# ------------------------------------------------------------------------------
# Writes: what each one invalidates (after its commit)
# ------------------------------------------------------------------------------
@invalidation(LIST_ALL, LIST_AUTHOR, LIST_TAG, ARTICLE_SLUG, AUTHOR_ARTICLES)
def article_published(*, slug: str, author: str, author_id: int, tags: Iterable[str]) -> Iterable[str]:
    return [
        LIST_ALL.key(),
        LIST_AUTHOR.key(author),
        *(LIST_TAG.key(tag) for tag in tags),
        ARTICLE_SLUG.key(slug),
        AUTHOR_ARTICLES.key(author_id),
    ]


def article_searches_published(*, article_id: int) -> None:
    """
    A publish's invalidation of the search pages, once it has committed: those of the registered
    texts the new article matches, and those of the texts the registry forgets (apps.articles.search_registry).
    """

    def after_commit() -> None:
        due = search_texts_due()
        if due is None or not due.complete:
            article_searches_changed(every=True)
        else:
            alias = router.db_for_write(Article)
            article_searches_changed(texts=[*search_texts_matching(article_id, due.texts, alias), *due.forgotten])
        if due is not None:
            transaction.on_commit(partial(_forget_once_bumped, due.cutoff))  # after the bump

    transaction.on_commit(after_commit)


def _forget_once_bumped(cutoff: int) -> None:
    if not pending_invalidations():  # a bump that failed is retried: forget the texts only once it landed
        search_texts_forget(cutoff)


@invalidation(SEARCH_TEXT, SEARCH_ALL)
def article_searches_changed(*, texts: Iterable[str] = (), every: bool = False) -> Iterable[str]:
    """The search pages of these texts changed, or `every` one did."""
    return [SEARCH_ALL.key()] if every else [SEARCH_TEXT.key(text) for text in texts]


@invalidation(ARTICLE, LIST_TAG, SEARCH_ALL)
def article_edited(*, article_id: int, retagged: Iterable[str] = (), text_changed: bool = False) -> Iterable[str]:
    """
    `retagged`: the tags added or removed, whose lists gain or lose the article; `text_changed`: its
    title, description or body changed, which every search result may show.
    """
    return [
        ARTICLE.key(article_id),
        *(LIST_TAG.key(tag) for tag in retagged),
        *([SEARCH_ALL.key()] if text_changed else []),
    ]


@invalidation(ARTICLE, ARTICLE_FAVORITES, ARTICLE_SLUG, LIST_DELETES, AUTHOR_ARTICLES)
def article_deleted(*, article_id: int, slug: str, author_id: int) -> Iterable[str]:
    return [
        ARTICLE.key(article_id),
        ARTICLE_FAVORITES.key(article_id),
        ARTICLE_SLUG.key(slug),
        LIST_DELETES.key(),
        AUTHOR_ARTICLES.key(author_id),
    ]


@invalidation(ARTICLE_FAVORITES, LIST_FAVORITED, VIEWER)
def article_favorites_changed(*, article_id: int, user_id: int, username: str) -> Iterable[str]:
    """`username` favorited or unfavorited the article: its count, their list and their own flags changed."""
    return [ARTICLE_FAVORITES.key(article_id), LIST_FAVORITED.key(username), VIEWER.key(user_id)]


@invalidation(ARTICLE_FAVORITES)
def article_favorites_recounted(*, article_id: int) -> Iterable[str]:
    return [ARTICLE_FAVORITES.key(article_id)]
