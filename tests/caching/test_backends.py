import contextvars
import os
from typing import Any, cast

import pytest
from django.core.cache import caches

from apps.caching import backends
from apps.caching.backends import JOURNAL_KEY, RedisCache, RedisCacheClient
from apps.caching.generations import generations_bump, stamp_check

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


# ------------------------------------------------------------------------------
# The journal of bumps (Ref: #12: a kept feed page depends on one stamp per followed author)
# ------------------------------------------------------------------------------
COUNTERS = {f"journal-test:author:{number}": 1000 + number for number in range(300)}


@pytest.fixture
def stored_value():
    """A value and the 300 counters it was built from, checked once: the check's journal position."""
    cache = cast(Any, caches["default"])
    cache.set_many(COUNTERS, None)
    cache.set("journal-test:value", "page", 300)
    generations_bump("journal-test:elsewhere")  # the journal exists from the first bump on
    check = stamp_check(COUNTERS)
    value, position = cache.get_if_current("journal-test:value", check)
    assert value == "page" and position is not None
    return check, position


def full_checks(monkeypatch) -> list[str]:
    """The checks that read every counter from now on (the others asked the journal)."""
    calls: list[str] = []
    original = RedisCacheClient.get_if_current

    def counting(self, key, *args):
        calls.append(key)
        return original(self, key, *args)

    monkeypatch.setattr(RedisCacheClient, "get_if_current", counting)
    return calls


@needs_redis
def test_a_check_since_a_position_asks_the_journal_and_sees_other_counters_bumps_as_no_change(
    stored_value, monkeypatch
):
    cache = cast(Any, caches["default"])
    check, position = stored_value
    full = full_checks(monkeypatch)
    generations_bump("journal-test:elsewhere", "journal-test:other")
    value, later = cache.get_if_current("journal-test:value", check, position)
    assert (value, full) == ("page", [])
    assert later > position


@needs_redis
def test_a_bump_of_one_of_its_counters_is_seen_through_the_journal(stored_value, monkeypatch):
    cache = cast(Any, caches["default"])
    check, position = stored_value
    full = full_checks(monkeypatch)
    generations_bump("journal-test:author:299")
    assert cache.get_if_current("journal-test:value", check, position)[0] is None
    assert full == []


@pytest.mark.parametrize("loss", ["flushed", "evicted"])
@needs_redis
def test_a_lost_journal_cannot_hide_a_bump(stored_value, monkeypatch, loss):
    # The bump lands, then the journal goes (a flush of everything, or an eviction of that one key): a
    # check from a position remembered before must read the counters, not believe an empty journal.
    cache = cast(Any, caches["default"])
    check, position = stored_value
    generations_bump("journal-test:author:7")
    if loss == "flushed":  # everything but the value and its counters, as they stood
        counters = cache.get_many(list(COUNTERS))
        cache.clear()
        cache.set_many(counters, None)
        cache.set("journal-test:value", "page", 300)
    else:
        cache.delete(JOURNAL_KEY)
    generations_bump("journal-test:elsewhere")  # a new journal, started from the clock
    full = full_checks(monkeypatch)
    assert cache.get_if_current("journal-test:value", check, position)[0] is None
    assert len(full) == 1


@needs_redis
def test_a_check_older_than_the_journal_reads_every_counter(stored_value, monkeypatch):
    cache = cast(Any, caches["default"])
    check, position = stored_value
    monkeypatch.setattr(backends, "JOURNAL_LENGTH", 5)
    for _ in range(6):
        generations_bump("journal-test:elsewhere")
    full = full_checks(monkeypatch)
    value, later = cache.get_if_current("journal-test:value", check, position)
    assert value == "page" and len(full) == 1
    generations_bump("journal-test:author:0")
    assert cache.get_if_current("journal-test:value", check, later)[0] is None
    assert len(full) == 1  # from a recent position, the journal answers again
