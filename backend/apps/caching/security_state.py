"""
Security state: rate-limit counters, read-your-writes markers, trusted-client marks.

It lives in its own cache, `CACHES["security"]` (SECURITY_REDIS_URL), apart from the shared data
cache: that one is sized to be full and evicts under pressure, and an attacker who can fill it
(many distinct pages) must not be able to evict a rate-limit window and with it the limit. In
production it is a Redis instance with `maxmemory-policy noeviction` (docs/deploy.md); every key
here has a TTL, so it holds no more than the traffic of one window.

Counters are atomic (one Lua script on Redis: INCR, and the window's expiry on the first hit), so
any number of concurrent requests see distinct counts: no read-then-write race lets a burst
through a limit. Every function fails open (None, False) when the store is down, after tripping
its own breaker (apps.caching.generations): rate limits are a defence in depth, not worth an outage.
"""

import threading
import time
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from apps.caching.generations import CACHE_ERRORS, cache_available, key_part, trip_cache_breaker

SECURITY_CACHE = "security"

# INCR, and start the window on the first hit (or on a key that somehow has no expiry). Returns the
# count and the milliseconds left in the window.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {count, redis.call('PTTL', KEYS[1])}
"""
# Gives one hit back, never below zero, keeping the window's expiry.
_REFUND_SCRIPT = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""

# The in-process fallback (the embedded default's LocMemCache): one lock makes it atomic.
_local_lock = threading.Lock()
_scripts: dict[tuple[int, str], Any] = {}


def security_cache() -> BaseCache:
    return caches[SECURITY_CACHE]


def counter_hit(key: str, *, window: int) -> tuple[int, float] | None:
    """
    Counts one hit in the fixed window of `window` seconds that the first hit opened.

    Returns (hits in the window, including this one; seconds left in the window), or None when the
    store is down.
    """
    result = _run(
        lambda backend: _redis_hit(backend, key, window) if _is_redis(backend) else _local_hit(backend, key, window)
    )
    return result


def counter_refund(key: str) -> None:
    """Takes one hit back (an attempt that turned out not to count), never below zero."""
    _run(
        lambda backend: (
            _redis_script(backend, _REFUND_SCRIPT, key) if _is_redis(backend) else _local_refund(backend, key)
        )
    )


def flag_set(key: str, *, ttl: int) -> None:
    """Sets a marker for `ttl` seconds."""
    _run(lambda backend: backend.set(key, 1, ttl))


def flag_get(key: str) -> bool | None:
    """Whether the marker is set; None when the store is down (the caller decides what that means)."""
    return _run(lambda backend: backend.get(key) is not None)


# ------------------------------------------------------------------------------
# Keys
# ------------------------------------------------------------------------------
def throttle_key(scope: str, ident: str) -> str:
    """A rate limit's counter: per scope and user, address, e-mail or pair of them."""
    return f"security:throttle:{scope}:{key_part(ident)}"


def trusted_client_key(account: str, address: str) -> str:
    """Set when `address` signed in to `account` (an e-mail): that client is known to be its owner."""
    return f"security:trusted:{key_part(account)}:{key_part(address)}"


def recent_write_key(user_id: object) -> str:
    """Read-your-writes marker (apps.routing.router): set for a while after a user's successful write."""
    return f"security:recent_write:{user_id}"


# ------------------------------------------------------------------------------
# Backends
# ------------------------------------------------------------------------------
def _run(operation: Any) -> Any:
    if not cache_available(SECURITY_CACHE):
        return None
    try:
        return operation(security_cache())
    except CACHE_ERRORS as exc:
        trip_cache_breaker(exc, SECURITY_CACHE)
        return None


def _is_redis(backend: BaseCache) -> bool:
    return hasattr(backend, "_cache") and hasattr(backend._cache, "get_client")


def _redis_script(backend: Any, source: str, key: str, *args: Any) -> Any:
    full_key = backend.make_and_validate_key(key)
    client = backend._cache.get_client(full_key, write=True)
    script = _scripts.get((id(client), source))
    if script is None:
        # EVALSHA after the first call; redis-py loads the script again if the server lost it.
        script = _scripts[(id(client), source)] = client.register_script(source)
    return script(keys=[full_key], args=list(args))


def _redis_hit(backend: Any, key: str, window: int) -> tuple[int, float]:
    count, left_ms = _redis_script(backend, _HIT_SCRIPT, key, window * 1000)
    return int(count), max(int(left_ms), 0) / 1000


def _local_hit(backend: BaseCache, key: str, window: int) -> tuple[int, float]:
    with _local_lock:
        now = time.monotonic()
        count, ends = backend.get(key) or (0, now + window)
        if ends <= now:
            count, ends = 0, now + window
        backend.set(key, (count + 1, ends), window)
        return count + 1, ends - now


def _local_refund(backend: BaseCache, key: str) -> None:
    with _local_lock:
        entry = backend.get(key)
        if entry and entry[0] > 0:
            backend.set(key, (entry[0] - 1, entry[1]), max(1, int(entry[1] - time.monotonic()) + 1))
