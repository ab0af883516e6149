"""
Cache plumbing shared by the apps: generation counters, cached-or-compute with a stampede guard,
and a fallback to the database whenever the cache is down or slow.

Invalidation works by generations, never by deleting entries: a key embeds the current value of
one or more counters, and a write bumps the counters (after its transaction commits). A reader
reads the counters *before* it queries, so whatever it stores is at least as new as the write that
produced those counter values; an entry filled from older data can only land under an older key,
which nobody reads any more. Invalidation is O(1): no SCAN, no pattern delete.

The keys themselves are built in each app's `caching.py`.
"""

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache

logger = logging.getLogger(__name__)

T = TypeVar("T")

# After a cache error, requests skip the cache for this long instead of each paying a timeout.
CACHE_RETRY_AFTER_SECONDS = 5.0
# Counters outlive the entries that embed them; when one expires it is re-seeded (see below).
GENERATION_TTL = 24 * 3600
# Stampede guard: one request fills a missing hot key while the others wait up to FILL_WAIT_SECONDS.
FILL_LOCK_SECONDS = 5
FILL_WAIT_SECONDS = 0.25
FILL_POLL_SECONDS = 0.01

_MISSING = object()
_cache_down_until = 0.0

Versions = dict[str, int]


def cache_available() -> bool:
    return time.monotonic() >= _cache_down_until


def reset_cache_breaker() -> None:
    """Forget a past cache failure (tests, and a process that knows the cache is back)."""
    global _cache_down_until
    _cache_down_until = 0.0


def _call(operation: str, *args: Any, default: Any) -> Any:
    """Runs one cache operation; on any backend error trips the breaker and returns `default`."""
    if not cache_available():
        return default
    try:
        return getattr(cache, operation)(*args)
    except Exception as exc:  # any backend failure: the database remains the source of truth
        trip_cache_breaker(exc)
        return default


def trip_cache_breaker(exc: Exception) -> None:
    """Records a cache failure: every cache user skips the cache for CACHE_RETRY_AFTER_SECONDS."""
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_RETRY_AFTER_SECONDS
    logger.warning(
        "cache unavailable (%s: %s); using the database for %ss", type(exc).__name__, exc, CACHE_RETRY_AFTER_SECONDS
    )


def cache_get(key: str) -> Any:
    """The value at `key`; None when it is missing or the cache is down."""
    return _call("get", key, default=None)


def cache_set(key: str, value: Any, ttl: int) -> None:
    """Stores `value` at `key` for `ttl` seconds, unless the cache is down."""
    _call("set", key, value, ttl, default=None)


def generations_get(keys: Iterable[str]) -> Versions | None:
    """
    The current value of each generation counter, creating the missing ones; None if the cache is down.

    A new counter starts at the current time in microseconds, not at 1: after an eviction it can
    never come back to a value that entries were stored under before.
    """
    keys = list(keys)
    values: dict[str, Any] | None = _call("get_many", keys, default=None)
    if values is None:
        return None
    for key in keys:
        if key not in values:
            _call("add", key, time.time_ns() // 1000, GENERATION_TTL, default=False)
            values[key] = _call("get", key, default=None)
            if values[key] is None:
                return None
    return values


def generations_bump(*keys: str) -> None:
    """Invalidates every entry built on these counters. Call it after the write has committed."""
    for key in keys:
        try:
            if cache_available():
                cache.incr(key)
        except ValueError:
            pass  # no counter yet: no entry can embed it
        except Exception as exc:
            # Entries may stay stale until their TTL; keep TTLs short enough for that to be acceptable.
            logger.error("cache invalidation of %s failed (%s: %s)", key, type(exc).__name__, exc)


def versions_tag(versions: Versions) -> str:
    """The counters' values as a short key part, in a stable order."""
    return ".".join(str(versions[key]) for key in sorted(versions))


def cached(key: str, ttl: int, compute: Callable[[], T]) -> T:
    """
    The value at `key`, or `compute()` stored there for `ttl` seconds.

    On a miss only one caller computes (it holds a short lock); the others wait briefly for its
    result and compute themselves only if it does not come. With the cache down, just computes.
    """
    value = _call("get", key, _MISSING, default=_MISSING)
    if value is not _MISSING:
        return value
    if not cache_available():
        return compute()
    lock_key = f"{key}:fill-lock"
    if _call("add", lock_key, 1, FILL_LOCK_SECONDS, default=True):
        try:
            value = compute()
            _call("set", key, value, ttl, default=None)
            return value
        finally:
            _call("delete", lock_key, default=None)
    deadline = time.monotonic() + FILL_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(FILL_POLL_SECONDS)
        value = _call("get", key, _MISSING, default=_MISSING)
        if value is not _MISSING:
            return value
    return compute()


def cached_many(entries: dict[str, tuple[int, Callable[[], Any]]]) -> dict[str, Any]:
    """Several `cached` values read in one round trip: {key: (ttl, compute)} -> {key: value}."""
    found: dict[str, Any] = _call("get_many", list(entries), default={})
    return {key: found[key] if key in found else cached(key, ttl, compute) for key, (ttl, compute) in entries.items()}


def key_part(value: str) -> str:
    """A user-supplied key part (slug, username, filter): kept when plain, hashed otherwise."""
    if value.isascii() and len(value) <= 100 and all(c.isalnum() or c in "._-" for c in value):
        return value
    return "h" + hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()


# ------------------------------------------------------------------------------
# Keys of the core app
# ------------------------------------------------------------------------------
def recent_write_cache_key(user_id: object) -> str:
    """Read-your-writes marker (apps.core.db_router): set for a while after a user's successful write."""
    return f"core:recent_write:{user_id}"


def throttle_cache_key(scope: str, ident: str) -> str:
    """A rate limit's window of recent requests (apps.core.throttling): per scope and user, address or e-mail."""
    return f"core:throttle:{scope}:{key_part(ident)}"
