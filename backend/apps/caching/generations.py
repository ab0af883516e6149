"""
Cache plumbing shared by the apps: generation counters (the stamps of apps.caching.reads), and a
breaker that sends reads to the database whenever the cache is down or slow.

Invalidation works by generations, never by deleting entries: a key embeds the current value of
one or more counters, and a write bumps the counters (after its transaction commits). A reader
reads the counters *before* it queries, so whatever it stores is at least as new as the write that
produced those counter values; an entry filled from older data can only land under an older key,
which nobody reads any more. Invalidation is O(1): no SCAN, no pattern delete.

The entries built on them are declared in each app's `caching.py` (apps.caching.reads).
"""

import hashlib
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a failing cache raises: the client's own errors and the socket's. Nothing else trips the
# breaker: a bug, or a client's malformed request, must never switch caching (and with it rate
# limits and invalidations) off for everyone.
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError, EOFError)
# After a cache error, reads skip that cache for this long instead of each paying a timeout.
CACHE_RETRY_AFTER_SECONDS = 5.0
# Counters outlive the entries that embed them; when one expires it is re-seeded (see below).
GENERATION_TTL = 24 * 3600
# A failed invalidation is retried in the background until it succeeds, this often at most.
BUMP_RETRY_FIRST_SECONDS = 0.2
BUMP_RETRY_MAX_SECONDS = 5.0

# Per cache alias ("default", "security"): until when (time.monotonic()) that cache is skipped.
_down_until: dict[str, float] = {}

Versions = dict[str, int]


def cache_available(alias: str = "default") -> bool:
    return time.monotonic() >= _down_until.get(alias, 0.0)


def reset_cache_breaker() -> None:
    """Forget past cache failures and pending retries (tests, and a process that knows the caches are back)."""
    _down_until.clear()
    with _pending_lock:
        _pending_bumps.clear()


def trip_cache_breaker(exc: Exception, alias: str = "default") -> None:
    """Records a failure of cache `alias`: its readers skip it for CACHE_RETRY_AFTER_SECONDS."""
    _down_until[alias] = time.monotonic() + CACHE_RETRY_AFTER_SECONDS
    logger.warning(
        "cache %s unavailable (%s: %s); skipped for %ss", alias, type(exc).__name__, exc, CACHE_RETRY_AFTER_SECONDS
    )


def run_cache_operation(operation: str, *args: Any, default: Any) -> Any:
    """Runs one operation on the default cache; on a cache failure trips the breaker and returns `default`."""
    if not cache_available():
        return default
    try:
        return getattr(cache, operation)(*args)
    except CACHE_ERRORS as exc:  # the database remains the source of truth
        trip_cache_breaker(exc)
        return default


def redis_enabled() -> bool:
    """Whether the default cache is Redis (apps.caching.backends), which data kept in Redis structures needs."""
    return hasattr(cache, "redis_client")


def redis_script(script: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
    """Runs a Lua script on the default cache's Redis (by its digest once loaded); raises the cache's errors."""
    client = cache.redis_client()  # type: ignore[attr-defined]  # apps.caching.backends.RedisCache
    return client.register_script(script)(keys=keys, args=args, client=client)


def cache_get(key: str) -> Any:
    """The value at `key`; None when it is missing or the cache is down."""
    return run_cache_operation("get", key, default=None)


def cache_set(key: str, value: Any, ttl: int) -> None:
    """Stores `value` at `key` for `ttl` seconds, unless the cache is down."""
    run_cache_operation("set", key, value, ttl, default=None)


def cache_get_many(keys: list[str]) -> dict[str, Any]:
    """The values at these keys, by key (the missing ones left out); none when the cache is down."""
    found: dict[str, Any] = run_cache_operation("get_many", keys, default={})
    return found


def cache_set_many(values: dict[str, Any], ttl: int) -> None:
    """Stores these values at their keys for `ttl` seconds (one round trip), unless the cache is down."""
    run_cache_operation("set_many", values, ttl, default=None)


def generations_get(keys: Iterable[str]) -> Versions | None:
    """
    The current value of each generation counter, creating the missing ones; None if the cache is down.

    A new counter starts at the current time in microseconds, not at 1: after an eviction it can
    never come back to a value that entries were stored under before.
    """
    keys = list(keys)
    values: dict[str, Any] | None = run_cache_operation("get_many", keys, default=None)
    if values is None:
        return None
    for key in keys:
        if key not in values:
            run_cache_operation("add", key, time.time_ns() // 1000, GENERATION_TTL, default=False)
            values[key] = run_cache_operation("get", key, default=None)
            if values[key] is None:
                return None
    return values


def stamp_check(versions: Versions) -> Any:
    """What `cache_get_if_current` takes for these counters and values: prepare it once per value of `versions`."""
    prepare = getattr(cache, "stamp_check", None)
    return versions if prepare is None else prepare(versions)


def cache_get_if_current(
    key: str, versions: Versions, check: Any, *, since: int | None = None
) -> tuple[Any, int | None]:
    """
    The value at `key` if every counter of `versions` still holds its value there (`check` is
    `stamp_check(versions)`), else None (also when the value is missing or the cache is down); and the
    position of the journal of bumps at which they held (None when there is none: not Redis), to pass
    as `since` next time: the check then asks the journal which counters were bumped since instead of
    reading them all (apps.caching.backends). One round trip on Redis, two elsewhere.
    """
    if hasattr(cache, "get_if_current"):
        found: tuple[Any, int | None] = run_cache_operation("get_if_current", key, check, since, default=(None, None))
        return found
    value = cache_get(key)
    return (value if value is not None and generations_get(versions) == versions else None), None


# ------------------------------------------------------------------------------
# Invalidation: always attempted, retried until it lands
# ------------------------------------------------------------------------------
_pending_bumps: set[str] = set()
_pending_lock = threading.Lock()
_retry_scheduled = False


def generations_bump(*keys: str) -> None:
    """
    Invalidates every entry built on these counters. Call it after the write has committed.

    It is attempted whatever the breaker says (a skipped invalidation would leave entries stale for
    their whole TTL); one that fails trips the breaker, so that this process reads the database, and
    is retried in the background with backoff until it lands, together with any other pending one.
    """
    with _pending_lock:
        keys_to_bump = {*keys, *_pending_bumps}
        _pending_bumps.clear()
    failed = _bump(keys_to_bump)
    if failed:
        _retry_later(failed, delay=BUMP_RETRY_FIRST_SECONDS)


def pending_invalidations() -> set[str]:
    """The counters whose bump failed and waits for a retry (health checks, tests)."""
    with _pending_lock:
        return set(_pending_bumps)


def _bump(keys: Iterable[str]) -> set[str]:
    keys = sorted(set(keys))
    incr_existing = getattr(cache, "incr_existing", None)
    if incr_existing is not None:  # Redis: every counter in one round trip
        try:
            incr_existing(keys)
        except CACHE_ERRORS as exc:
            trip_cache_breaker(exc)
            logger.error("cache invalidation of %s failed; retrying in the background", ", ".join(keys))
            return set(keys)
        return set()
    failed: set[str] = set()
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:
            pass  # no counter yet: no entry can embed it
        except CACHE_ERRORS as exc:
            failed.add(key)
            trip_cache_breaker(exc)
    if failed:
        logger.error("cache invalidation of %s failed; retrying in the background", ", ".join(sorted(failed)))
    return failed


def _retry_later(keys: set[str], *, delay: float) -> None:
    global _retry_scheduled
    with _pending_lock:
        _pending_bumps.update(keys)
        if _retry_scheduled:
            return
        _retry_scheduled = True
    timer = threading.Timer(delay, _retry_pending, kwargs={"delay": delay})
    timer.daemon = True
    timer.start()


def _retry_pending(*, delay: float) -> None:
    global _retry_scheduled
    with _pending_lock:
        keys = set(_pending_bumps)
        _pending_bumps.clear()
        _retry_scheduled = False
    failed = _bump(keys)
    if failed:
        _retry_later(failed, delay=min(delay * 2, BUMP_RETRY_MAX_SECONDS))
    else:
        logger.info("cache invalidation of %s done on retry", ", ".join(sorted(keys)))


def versions_tag(versions: Versions) -> str:
    """The counters' values as a short key part, in a stable order."""
    return ".".join(str(versions[key]) for key in sorted(versions))


def key_part(value: str) -> str:
    """A user-supplied key part (slug, username, filter): kept when plain, hashed otherwise."""
    if value.isascii() and len(value) <= 100 and all(c.isalnum() or c in "._-" for c in value):
        return value
    return "h" + hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()
