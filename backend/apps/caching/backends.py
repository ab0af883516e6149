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

Every operation is timed for Prometheus (apps.observability): `conduit_cache_operation_duration_seconds`.
"""

import threading
from collections.abc import Callable
from typing import Any

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

    def get_if_current(self, key: str, names: str, values: str) -> Any:
        raw = self.get_client(key).eval(_GET_IF_CURRENT, 1, key, names, values)
        return None if raw is None else self._serializer.loads(raw)

    def incr_existing(self, keys: list[str]) -> None:
        self.get_client(write=True).eval(_INCR_EXISTING, len(keys), *keys)


# KEYS[1]: the value's key; ARGV[1]: the counters' keys, one a line; ARGV[2]: their expected values,
# comma-separated. The counters are keys the script reads without declaring them: one Redis, no cluster.
_GET_IF_CURRENT = """
local names, count = {}, 0
for name in string.gmatch(ARGV[1], "[^\\n]+") do
    count = count + 1
    names[count] = name
end
if count > 0 then
    local values = redis.call("MGET", unpack(names))
    for i = 1, count do
        if not values[i] then
            return false
        end
    end
    if table.concat(values, ",") ~= ARGV[2] then
        return false
    end
end
return redis.call("GET", KEYS[1])
"""

# Adds one to each of KEYS that exists (a counter nobody has read yet is left missing: no entry embeds it).
_INCR_EXISTING = """
for _, key in ipairs(KEYS) do
    if redis.call("EXISTS", key) == 1 then
        redis.call("INCR", key)
    end
end
"""

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

    def stamp_check(self, versions: dict[str, int]) -> tuple[str, str]:
        """The arguments of `get_if_current` for these counters and values (prepare them once, use them often)."""
        names = "\n".join(self.make_and_validate_key(name) for name in versions)
        return names, ",".join(str(value) for value in versions.values())

    def get_if_current(self, key: str, check: tuple[str, str]) -> Any:
        """The value at `key` if every counter of `check` (`stamp_check`) still holds its value; else None."""
        with cache_operation_timer("get_if_current"):
            return self._cache.get_if_current(self.make_and_validate_key(key), *check)

    def redis_client(self) -> Any:
        """The shared `redis.Redis` client, for data kept in Redis structures (apps.feeds.timelines)."""
        return self._cache.get_client(write=True)

    def incr_existing(self, keys: list[str]) -> None:
        """Bumps every existing counter of `keys` in one round trip (Django's `incr` costs two per key)."""
        if keys:
            with cache_operation_timer("incr_existing"):
                self._cache.incr_existing([self.make_and_validate_key(key) for key in keys])


def _timed(operation: str) -> Any:
    def method(self: "RedisCache", *args: Any, **kwargs: Any) -> Any:
        with cache_operation_timer(operation):
            return getattr(DjangoRedisCache, operation)(self, *args, **kwargs)

    method.__name__ = operation
    return method


for _operation in TIMED_OPERATIONS:
    setattr(RedisCache, _operation, _timed(_operation))
