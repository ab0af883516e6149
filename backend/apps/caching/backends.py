"""
Django's Redis cache backend with one connection pool per process, shared by every thread.

Django keeps one cache backend object per thread *and* per context (an asgiref `Local`), and the
backend owns its Redis connection pool. Under uvicorn's WSGI interface (a2wsgi) every request runs
in a fresh copy of the event loop's context, so with Django's own backend each request built a new
pool and opened, handshook (HELLO, CLIENT SETINFO) and dropped a new Redis connection: about a third
of the CPU time of a cached read (docs/benchmarks.md). Here the backend objects still come and go
per context, but they all use the same client, whose pool is thread-safe and keeps its connections.
That client also keeps its `redis.Redis` objects (thread-safe too) instead of building one per call.

`get_if_current` reads a value only when a set of generation counters (apps.caching.generations)
still hold given values, in one round trip (a Lua script): the stored responses' check
(apps.caching.responses), whose dozens of counters would otherwise each cost a key to make and a reply
to parse in Python.

The journal of bumps: `incr_existing` also records, in one sorted set, each counter it bumps under
the bump's position (a sequence), so that a check that held at position P can next ask only "which
counters were bumped since P?" instead of reading them all. A stored response made of hundreds of
counters (the first page of a feed following 500 authors depends on each author's stamp) then costs
one small read instead of a 500-key MGET and a 20 KB argument per request (docs/caching.md). The
journal keeps the last JOURNAL_LENGTH bumps; a check older than that, or made after the journal was
lost (eviction, flush: its position restarts from the clock, past any earlier one), reads every
counter as before.

Every operation is timed for Prometheus (apps.observability): `conduit_cache_operation_duration_seconds`.
"""

import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.utils.functional import cached_property

from apps.observability.instrumentation import cache_operation_timer

# The backend methods that talk to Redis; composite ones (get_or_set...) are measured through these.
TIMED_OPERATIONS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class RedisCacheClient(DjangoRedisCacheClient):
    # Django's private members this class builds on, which the stubs leave out.
    _client: Callable[..., Any]
    _get_connection_pool: Callable[[bool], Any]
    _get_connection_pool_index: Callable[[bool], int]
    _serializer: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._redis: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._redis.get(index)
        if client is None:
            client = self._redis[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client

    def get_if_current(self, key: str, journal: str, names: str, values: str) -> tuple[Any, int | None]:
        position, raw = self.get_client(key).eval(_GET_IF_CURRENT, 2, key, journal, names, values)
        return (None if raw is None else self._serializer.loads(raw)), position

    def get_if_unchanged(self, key: str, journal: str, since: int) -> tuple[Any, int | None, list[str] | None]:
        position, changed, raw = self.get_client(key).eval(
            _GET_IF_UNCHANGED, 2, key, journal, since, JOURNAL_REPORT_MAX, JOURNAL_LENGTH
        )
        value = None if raw is None else self._serializer.loads(raw)
        return value, position, None if changed is None else [name.decode() for name in changed]

    def incr_existing(self, journal: str, keys: list[str]) -> None:
        self.get_client(write=True).eval(
            _INCR_EXISTING, len(keys) + 1, journal, *keys, time.time_ns() // 1000, JOURNAL_LENGTH
        )


# The journal of bumps (see the module): a sorted set of the counters bumped lately, each under the
# position of its last bump, and a marker member ("~position") whose score is the current position.
# One key, so that losing it (eviction, flush) loses the position too: the next bump starts it again
# from the clock in microseconds, beyond any position a check can remember.
JOURNAL_KEY = "generations:journal"
# The journal keeps this many bumps (a bump is one write's counters): at ten writes a second, the last
# minute or two. A check remembered from before that reads every counter.
JOURNAL_LENGTH = 1000
# A check told more counters than this changed since its position reads every counter instead.
JOURNAL_REPORT_MAX = 200


# KEYS[1]: the value's key, KEYS[2]: the journal; ARGV[1]: the counters' keys, one a line; ARGV[2]:
# their expected values, comma-separated. The counters are keys the script reads without declaring them:
# one Redis, no cluster. Returns the journal's position (nil without one) and the value, or nil.
_GET_IF_CURRENT = """
local position = redis.call("ZSCORE", KEYS[2], "~position")
position = position and tonumber(position) or false
local names, count = {}, 0
for name in string.gmatch(ARGV[1], "[^\\n]+") do
    count = count + 1
    names[count] = name
end
if count > 0 then
    local values = redis.call("MGET", unpack(names))
    for i = 1, count do
        if not values[i] then
            return {position, false}
        end
    end
    if table.concat(values, ",") ~= ARGV[2] then
        return {position, false}
    end
end
return {position, redis.call("GET", KEYS[1])}
"""

# KEYS[1]: the value's key, KEYS[2]: the journal; ARGV[1]: a position at which the caller's counters
# held their values, ARGV[2]: JOURNAL_REPORT_MAX, ARGV[3]: JOURNAL_LENGTH. Returns the current position,
# the counters bumped since ARGV[1] and the value; the counters are nil when the journal cannot tell
# (lost, or ARGV[1] older than what it keeps, or too many changed): the caller then checks them all.
_GET_IF_UNCHANGED = """
local position = redis.call("ZSCORE", KEYS[2], "~position")
if not position then
    return {false, false, false}
end
position = tonumber(position)
local since, most = tonumber(ARGV[1]), tonumber(ARGV[2])
if since > position or since < position - tonumber(ARGV[3]) then
    return {position, false, false}
end
local changed = redis.call("ZRANGEBYSCORE", KEYS[2], "(" .. ARGV[1], "+inf", "LIMIT", 0, most + 2)
if #changed > most + 1 then
    return {position, false, false}
end
return {position, changed, redis.call("GET", KEYS[1])}
"""

# Adds one to each of KEYS[2..] that exists (a counter nobody has read yet is left missing: no entry
# embeds it), and journals them all in KEYS[1] under the next position. ARGV[1]: the clock in
# microseconds (where a lost journal starts again), ARGV[2]: JOURNAL_LENGTH.
_INCR_EXISTING = """
local journal = KEYS[1]
if not redis.call("ZSCORE", journal, "~position") then
    redis.call("ZADD", journal, ARGV[1], "~position")
end
local position = tonumber(redis.call("ZINCRBY", journal, 1, "~position"))
for i = 2, #KEYS do
    local key = KEYS[i]
    if redis.call("EXISTS", key) == 1 then
        redis.call("INCR", key)
    end
    redis.call("ZADD", journal, position, key)
end
redis.call("ZREMRANGEBYSCORE", journal, "-inf", string.format("%.0f", position - tonumber(ARGV[2])))
"""


class StampCheck(NamedTuple):
    """A set of counters and their expected values, as `get_if_current` takes them."""

    joined_names: str  # the counters' keys, one a line
    joined_values: str  # their values, comma-separated
    names: frozenset[str]


_clients: dict[tuple[Any, ...], RedisCacheClient] = {}
_clients_lock = threading.Lock()


class RedisCache(DjangoRedisCache):
    # Set by Django's __init__ (LOCATION split into a list, and OPTIONS); the stubs leave them out.
    _servers: list[str]
    _options: dict[str, Any]

    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = RedisCacheClient(self._servers, **self._options)
            return client

    def validate_key(self, key: str) -> None:
        """
        Redis takes any key. Django's check warns about what memcached would refuse, a loop over the
        key's characters: on a list page's hundred-odd keys, a measurable part of a cached read.
        """

    def stamp_check(self, versions: dict[str, int]) -> "StampCheck":
        """The arguments of `get_if_current` for these counters and values (prepare them once, use them often)."""
        names = [self.make_and_validate_key(name) for name in versions]
        return StampCheck("\n".join(names), ",".join(str(value) for value in versions.values()), frozenset(names))

    def get_if_current(self, key: str, check: "StampCheck", since: int | None = None) -> tuple[Any, int | None]:
        """
        The value at `key` if every counter of `check` (`stamp_check`) still holds its value, else
        None; and the journal's position at that moment (None without a journal), at which the
        counters held: the next call's `since`. With `since`, the journal says which counters were
        bumped since, and the counters are read only when it cannot tell.
        """
        made, journal = self.make_and_validate_key(key), self.make_and_validate_key(JOURNAL_KEY)
        with cache_operation_timer("get_if_current"):
            if since is not None:
                value, position, changed = self._cache.get_if_unchanged(made, journal, since)
                if changed is not None:
                    return (None if check.names.intersection(changed) else value), position
            return self._cache.get_if_current(made, journal, check.joined_names, check.joined_values)

    def redis_client(self) -> Any:
        """The shared `redis.Redis` client, for data kept in Redis structures (apps.feeds.timelines)."""
        return self._cache.get_client(write=True)

    def incr_existing(self, keys: list[str]) -> None:
        """
        Bumps every existing counter of `keys` and journals them all, in one round trip (Django's
        `incr` costs two per key).
        """
        if keys:
            with cache_operation_timer("incr_existing"):
                self._cache.incr_existing(
                    self.make_and_validate_key(JOURNAL_KEY), [self.make_and_validate_key(key) for key in keys]
                )


def _timed(operation: str) -> Any:
    def method(self: "RedisCache", *args: Any, **kwargs: Any) -> Any:
        with cache_operation_timer(operation):
            return getattr(DjangoRedisCache, operation)(self, *args, **kwargs)

    method.__name__ = operation
    return method


for _operation in TIMED_OPERATIONS:
    setattr(RedisCache, _operation, _timed(_operation))
