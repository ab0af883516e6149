"""The security store: atomic counters in fixed windows, markers, and a breaker of its own."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from apps.caching import generations as caching
from apps.caching.security_state import SECURITY_CACHE, _run, counter_hit, counter_refund, flag_get, flag_set

HITS = 200


def test_concurrent_hits_get_distinct_counts():
    # Ref: #9 (3): read-then-write counters let concurrent requests share a count.
    start = threading.Barrier(20)

    def hit(number: int) -> int:
        if number < 20:
            start.wait()
        result = counter_hit("test:burst", window=60)
        assert result is not None
        return result[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        counts = list(pool.map(hit, range(HITS)))
    assert sorted(counts) == list(range(1, HITS + 1))


def test_a_window_opens_on_the_first_hit_and_ends_on_time():
    assert counter_hit("test:window", window=1)[0] == 1
    count, seconds_left = counter_hit("test:window", window=1)
    assert count == 2 and 0 < seconds_left <= 1
    time.sleep(seconds_left + 0.05)
    assert counter_hit("test:window", window=1)[0] == 1


def test_a_refund_gives_one_hit_back_never_below_zero():
    counter_hit("test:refund", window=60)
    counter_hit("test:refund", window=60)
    counter_refund("test:refund")
    assert counter_hit("test:refund", window=60)[0] == 2
    for _ in range(5):
        counter_refund("test:refund")
    counter_refund("test:never-hit")
    assert counter_hit("test:refund", window=60)[0] == 1


def test_flags_are_set_for_their_ttl():
    assert flag_get("test:flag") is False
    flag_set("test:flag", ttl=60)
    assert flag_get("test:flag") is True


def test_only_store_errors_trip_its_breaker():
    # Ref: #9 (2): anything but a cache failure (a bug, a client's bad input) must not switch it off.
    def bug(backend: object) -> None:
        raise ValueError("not a cache failure")

    with pytest.raises(ValueError):
        _run(bug)
    assert caching.cache_available(SECURITY_CACHE)

    def outage(backend: object) -> None:
        raise ConnectionError("redis is down")

    assert _run(outage) is None
    assert not caching.cache_available(SECURITY_CACHE)
    assert caching.cache_available()  # the data cache has a breaker of its own
