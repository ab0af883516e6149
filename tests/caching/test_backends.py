import contextvars
import os
from typing import Any, cast

import pytest
from django.core.cache import caches

from apps.caching.backends import RedisCache

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="set REDIS_URL to test the Redis backend")


def test_redis_cache_backends_share_one_client_and_redis_object():
    first = RedisCache("redis://127.0.0.1:6379/15", {"OPTIONS": {"socket_timeout": 0.25}})
    second = RedisCache("redis://127.0.0.1:6379/15", {"OPTIONS": {"socket_timeout": 0.25}})
    other = RedisCache("redis://127.0.0.1:6379/14", {"OPTIONS": {"socket_timeout": 0.25}})

    assert first._cache is second._cache
    assert first._cache is not other._cache
    assert first._cache.get_client() is second._cache.get_client(write=True)  # no connection is made


@needs_redis
def test_redis_cache_keeps_its_connection_across_request_contexts():
    # a2wsgi runs every request in a fresh copy of the context: Django's own backend would
    # connect to Redis again in each one.
    def request() -> object:
        caches["default"].get("cache-backends-test")
        return cast(Any, caches["default"])._cache._get_connection_pool(False)  # django-redis internals

    def connections(pool: Any) -> int:
        return len(pool._available_connections) + len(pool._in_use_connections)

    pool = contextvars.copy_context().run(request)
    before = connections(pool)
    pools = {id(contextvars.copy_context().run(request)) for _ in range(5)}

    assert pools == {id(pool)}
    assert connections(pool) == before


@needs_redis
def test_incr_existing_bumps_every_existing_counter_in_one_call_and_creates_none():
    # Ref: #11: a write's invalidation is one round trip, not two per counter.
    cache = caches["default"]
    cache.set("backends-test:a", 5)
    cache.set("backends-test:b", 9)
    cast(Any, cache).incr_existing(["backends-test:a", "backends-test:missing", "backends-test:b"])
    assert cache.get_many(["backends-test:a", "backends-test:b", "backends-test:missing"]) == {
        "backends-test:a": 6,
        "backends-test:b": 10,
    }
