import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from apps.caching import generations as caching
from apps.caching.generations import generations_bump, generations_get

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
    }
}


def test_generations_start_unique_and_bump_by_one():
    first = generations_get(["test:gen"])
    assert first is not None
    generations_bump("test:gen")
    assert generations_get(["test:gen"]) == {"test:gen": first["test:gen"] + 1}


def test_generation_reseeded_after_eviction_never_returns_to_an_old_value():
    old = generations_get(["test:gen"])["test:gen"]
    generations_bump("test:gen")
    cache.delete("test:gen")  # as an LRU eviction would
    assert generations_get(["test:gen"])["test:gen"] > old + 1


def test_bumping_a_missing_generation_is_harmless():
    generations_bump("test:never-read")
    assert cache.get("test:never-read") is None


@override_settings(CACHES=DEAD_REDIS)
def test_a_dead_cache_reads_no_generation_and_bumps_without_raising():
    assert generations_get(["test:gen"]) is None
    generations_bump("test:gen")  # logs, does not raise


def test_the_cache_is_used_again_once_the_breaker_window_has_passed():
    with override_settings(CACHES=DEAD_REDIS):
        assert generations_get(["test:gen"]) is None
    assert not caching.cache_available()
    caching._down_until["default"] = time.monotonic() - 1  # as if CACHE_RETRY_AFTER_SECONDS had passed
    assert generations_get(["test:gen"]) is not None


# ------------------------------------------------------------------------------
# The breaker and invalidations (Ref: #9 (2))
# ------------------------------------------------------------------------------
def test_an_invalidation_is_attempted_even_while_the_breaker_is_open():
    before = generations_get(["test:gen"])["test:gen"]
    caching.trip_cache_breaker(ConnectionError("an earlier failure"))
    generations_bump("test:gen")
    caching.reset_cache_breaker()
    assert generations_get(["test:gen"])["test:gen"] == before + 1


def test_a_failed_invalidation_is_retried_in_the_background_until_it_lands(monkeypatch):
    before = generations_get(["test:gen"])["test:gen"]
    # Redis bumps every counter in one script (incr_existing); other caches, one incr per counter.
    operation = "incr_existing" if hasattr(cache, "incr_existing") else "incr"
    real, failures = getattr(cache, operation), []

    def flaky(keys, *args):
        if not failures:
            failures.append(keys)
            raise ConnectionError("a blip")
        return real(keys, *args)

    monkeypatch.setattr(cache, operation, flaky)
    generations_bump("test:gen")
    assert caching.pending_invalidations() == {"test:gen"}
    deadline = time.monotonic() + 5
    while caching.pending_invalidations() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert caching.pending_invalidations() == set()
    # (The retry runs in a thread of its own, with its own cache object.)
    assert failures in (["test:gen"], [["test:gen"]])
    caching.reset_cache_breaker()
    assert generations_get(["test:gen"])["test:gen"] == before + 1


def test_errors_that_are_not_the_caches_do_not_trip_the_breaker(monkeypatch):
    def bug(*args: object) -> None:
        raise TypeError("a bug, not an outage")

    monkeypatch.setattr(cache, "get", bug)
    with pytest.raises(TypeError):
        caching.cache_get("test:key")
    assert caching.cache_available()
