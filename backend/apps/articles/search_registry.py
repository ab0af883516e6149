"""
The registry of searched texts: what lets a publish invalidate only the searches it changes.

A page of search results (apps.articles.caching.SEARCH) holds the newest matches of one text, ranked;
an article that does not match the text cannot change it. So a search page depends on the stamp of
its own text (SEARCH_TERMS), and a publish bumps the stamps of the texts the new article matches
instead of every search's. That takes knowing every text whose page may be cached: this registry, a
sorted set in Redis of the texts loaded lately, each under the time (Redis's clock) of its last load.

- The loader of a page registers its text *before* it reads the database; a publish reads the
  registry *after* its commit. A text missing from what the publish read was registered after that,
  so its page was read after the commit: it holds the new article.
- A text leaves the registry only once its stamp was bumped, FORGET_AFTER_SECONDS after its last
  load (by the next publish): whatever was made of the stamp (entries, stored responses, ETags) can
  never be current again, so the registry only has to remember the texts whose pages may be stored
  or loading. A load ends within the search's statement timeout, far below that.
- A registry that was lost (evicted, flushed, or dropped for its size) lacks its marker. A publish
  that finds no marker bumps every search (SEARCH_ALL); so does the loader that finds none, before
  it sets the marker again (`search_registry_mark`), so that publishes in between find none either.
- A publish matches at most REGISTRY_MAX_TEXTS texts (one query; more would slow every publish):
  past that it bumps every search, as it does without Redis (the embedded default's cache), where
  there is no registry.

docs/caching.md, "Search pages and publishes".
"""

from typing import NamedTuple

from django.core.cache import cache

from apps.caching.generations import (
    CACHE_ERRORS,
    GENERATION_TTL,
    cache_available,
    redis_enabled,
    redis_script,
    trip_cache_breaker,
)

REGISTRY_KEY = "search:texts"
_MARKER = "~"  # the marker's member (score +inf); every text's member is prefixed, so none is the marker
_TEXT_PREFIX = "t:"
# A text not loaded for this long is forgotten (its stamp bumped first). Longer than a stored response
# lives (300 s) plus a search entry (60 s): a search read all the time is never forgotten.
FORGET_AFTER_SECONDS = 600
# The most texts a publish matches the new article against (one query, about a millisecond per 100).
REGISTRY_MAX_TEXTS = 1_000
# A registry that grows past this between publishes (distinct texts, each asked for twice) is dropped
# by the next load: every search is bumped, and the registry starts again.
REGISTRY_MAX_SIZE = 20 * REGISTRY_MAX_TEXTS


class DueTexts(NamedTuple):
    """What a publish does with the registry: the texts to match, those to forget, and when to forget up to."""

    texts: list[str]  # registered since `cutoff`: bump those the article matches
    forgotten: list[str]  # registered last at or before `cutoff`: bump them all, then forget them
    cutoff: int  # Redis's clock, in seconds
    complete: bool  # False: more than REGISTRY_MAX_TEXTS of either kind; bump every search instead


# KEYS[1]: the registry; ARGV[1]: its TTL, ARGV[2]: its largest size, ARGV[3..]: members. Returns 1 when the
# registry is marked (intact), 0 when it is not (new, or dropped here for its size).
_REGISTER = """
if redis.call("ZCARD", KEYS[1]) > tonumber(ARGV[2]) then
    redis.call("DEL", KEYS[1])
end
local now = redis.call("TIME")[1]
for i = 3, #ARGV do
    redis.call("ZADD", KEYS[1], now, ARGV[i])
end
redis.call("EXPIRE", KEYS[1], ARGV[1])
if redis.call("ZSCORE", KEYS[1], "~") then return 1 end
return 0
"""

# KEYS[1]: the registry; ARGV[1]: FORGET_AFTER_SECONDS, ARGV[2]: REGISTRY_MAX_TEXTS. false without a marker, else
# {cutoff, members to forget (at most max + 1), members to match (none when there are more than max), their count}.
_DUE = """
if not redis.call("ZSCORE", KEYS[1], "~") then return false end
local cutoff = tonumber(redis.call("TIME")[1]) - tonumber(ARGV[1])
local most = tonumber(ARGV[2])
local forgotten = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", cutoff, "LIMIT", 0, most + 1)
local count = redis.call("ZCOUNT", KEYS[1], "(" .. cutoff, "(+inf")
local texts = {}
if count <= most then
    texts = redis.call("ZRANGEBYSCORE", KEYS[1], "(" .. cutoff, "(+inf")
end
return {cutoff, forgotten, texts, count}
"""

_MARK = """
redis.call("ZADD", KEYS[1], "NX", "+inf", "~")
redis.call("EXPIRE", KEYS[1], ARGV[1])
"""

_FORGET = """
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", ARGV[1])
"""


def _key() -> str:
    return cache.make_and_validate_key(REGISTRY_KEY)


def search_texts_register(texts: set[str]) -> bool:
    """
    Registers the texts about to be loaded (call it before reading the database). False when the
    registry had no marker: bump every search, then `search_registry_mark()`. True otherwise, also
    without Redis (nothing to register) and when the cache fails (the breaker trips: nothing loaded
    now will be stored).
    """
    if not texts or not redis_enabled() or not cache_available():
        return True
    members = [f"{_TEXT_PREFIX}{text}" for text in sorted(texts)]
    try:
        return bool(redis_script(_REGISTER, [_key()], [GENERATION_TTL, REGISTRY_MAX_SIZE, *members]))
    except CACHE_ERRORS as exc:
        trip_cache_breaker(exc)
        return True


def search_registry_mark() -> None:
    """Marks the registry intact: call it once every search was bumped after finding it unmarked."""
    if not redis_enabled():
        return
    try:
        redis_script(_MARK, [_key()], [GENERATION_TTL])
    except CACHE_ERRORS as exc:  # unmarked: the next load bumps every search again, and marks it
        trip_cache_breaker(exc)


def search_texts_due() -> DueTexts | None:
    """What a publish must bump (call it after its commit); None: every search (no registry, or it failed)."""
    if not redis_enabled():
        return None
    try:
        found = redis_script(_DUE, [_key()], [FORGET_AFTER_SECONDS, REGISTRY_MAX_TEXTS])
    except CACHE_ERRORS as exc:
        trip_cache_breaker(exc)
        return None
    if not found:
        return None
    cutoff, forgotten, texts, count = found
    return DueTexts(
        texts=_texts(texts),
        forgotten=_texts(forgotten),
        cutoff=int(cutoff),
        complete=count <= REGISTRY_MAX_TEXTS and len(forgotten) <= REGISTRY_MAX_TEXTS,
    )


def search_texts_forget(cutoff: int) -> None:
    """Forgets the texts registered last at or before `cutoff`: call it once their stamps were bumped."""
    try:
        redis_script(_FORGET, [_key()], [cutoff])
    except CACHE_ERRORS as exc:  # kept: the next publish bumps and forgets them
        trip_cache_breaker(exc)


def _texts(members: list[bytes]) -> list[str]:
    return [member.decode()[len(_TEXT_PREFIX) :] for member in members]
