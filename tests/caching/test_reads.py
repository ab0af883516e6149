"""The cached-read protocol (apps.caching.reads), through a real declaration: public profiles by id."""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import transaction
from prometheus_client import REGISTRY

from apps.articles.caching import article_entries
from apps.articles.selectors import article_favorites_counts
from apps.caching.generations import generations_bump, reset_cache_breaker, trip_cache_breaker
from apps.caching.reads import ENTRIES, EPOCH, VIEWER, CachedEntry, Stamp, read_many, track_reads
from apps.profiles.caching import PROFILE
from apps.profiles.selectors import profiles_by_id
from apps.users.caching import USER_PROFILE
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def entry_misses() -> float:
    return REGISTRY.get_sample_value("conduit_cache_reads_total", {"layer": "entry", "result": "miss"}) or 0.0


def profiles(*user_ids: int) -> dict[int, object]:
    return read_many([(PROFILE, list(user_ids))])[0]


def test_entries_are_loaded_once_in_one_batch_then_read_from_the_cache(django_assert_num_queries):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    with django_assert_num_queries(1):  # both misses, one query
        first = profiles(alice.pk, bob.pk, 10**9)
    assert first == {
        alice.pk: {"username": "alice", "bio": None, "image": None},
        bob.pk: {"username": "bob", "bio": None, "image": None},
        10**9: None,  # none: cached too
    }
    with django_assert_num_queries(0):
        assert profiles(alice.pk, bob.pk, 10**9) == first


def test_a_bumped_stamp_reloads_only_its_own_entry(django_assert_num_queries):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    profiles(alice.pk, bob.pk)
    type(alice).objects.filter(pk=alice.pk).update(bio="New")
    generations_bump(USER_PROFILE.key(alice.pk))
    misses = entry_misses()
    with django_assert_num_queries(1):
        assert profiles(alice.pk, bob.pk)[alice.pk]["bio"] == "New"
    assert entry_misses() == misses + 1  # alice's; bob's entry was still good


def test_the_epoch_invalidates_every_entry(django_assert_num_queries):
    alice = UserFactory()
    profiles(alice.pk)
    generations_bump(EPOCH.key())
    with django_assert_num_queries(1):
        profiles(alice.pk)


def test_the_tracker_records_every_stamp_read_and_the_extra_ones():
    alice = UserFactory()
    with track_reads(extra=[VIEWER.key(alice.pk)]) as tracker:
        profiles(alice.pk)
    assert set(tracker.stamps) == {EPOCH.key(), USER_PROFILE.key(alice.pk), VIEWER.key(alice.pk)}
    assert tracker.complete


def test_inside_a_transaction_nothing_is_read_or_stored(transactional_db, django_assert_num_queries):
    alice = UserFactory(username="alice")
    profiles(alice.pk)  # cached
    with transaction.atomic(), track_reads() as tracker:
        type(alice).objects.filter(pk=alice.pk).update(username="uncommitted")
        assert profiles(alice.pk)[alice.pk]["username"] == "uncommitted"  # the write's own view
        transaction.set_rollback(True)
    assert not tracker.complete
    with django_assert_num_queries(0):
        assert profiles(alice.pk)[alice.pk]["username"] == "alice"  # the rolled-back value never reached the cache


def test_with_the_cache_down_every_read_loads(django_assert_num_queries):
    alice = UserFactory()
    profiles(alice.pk)
    trip_cache_breaker(ConnectionError("test"))
    try:
        with track_reads() as tracker, django_assert_num_queries(1):
            profiles(alice.pk)
        assert not tracker.complete
    finally:
        reset_cache_breaker()


def test_a_cold_article_is_read_whole_in_two_queries_its_row_gives_the_count_and_profile(django_assert_num_queries):
    """The content's loader returns the favorites count and author's profile its row held (Loaded)."""
    article = ArticleFactory(author=UserFactory(username="writer", bio="Bio"))
    row = [(article.pk, article.author_id, "")]
    with django_assert_num_queries(2):  # the row with its author, the tags: not one query per part
        [entry] = article_entries(row, with_body=True)
    assert entry["data"]["favoritesCount"] == article_favorites_counts([article.pk])[article.pk]
    assert entry["data"]["author"] == profiles_by_id(user_ids=[article.author_id])[article.author_id]
    with django_assert_num_queries(0):  # all three parts were stored
        assert article_entries(row, with_body=True) == [entry]
    generations_bump(USER_PROFILE.key(article.author_id))
    with django_assert_num_queries(1):  # a part requested alone loads by its own loader
        article_entries(row, with_body=True)


@pytest.fixture
def slow_entry():
    """An entry kind with a single flight of 0.5 s and a loader that counts its calls (no database)."""
    calls: list[list[int]] = []

    def load(params, using):
        calls.append(list(params))
        return {param: f"value {param}" for param in params}

    entry = CachedEntry[int, str](
        name="tests.slow", ttl=60, load=load, depends_on=((Stamp("tests-slow"), lambda p: p),), single_flight=0.5
    )
    yield entry, calls
    del ENTRIES[entry.name]


def claim_key(entry, param) -> str:
    return f"loading:{entry.key(param)}"


def test_a_single_flight_entry_being_loaded_elsewhere_is_awaited_not_loaded_again(slow_entry):
    """Many readers missing one slow entry at once: one loads it, the others take its result."""
    entry, calls = slow_entry
    cache.add(claim_key(entry, 7), 1, 5)  # another process claimed it and is loading it

    def other_process_stores() -> None:
        time.sleep(0.1)  # the reader below has read the stamps and is waiting
        current = tuple(cache.get(key) for key in entry.stamp_keys(7))
        cache.set(entry.key(7), (current, "loaded elsewhere"), 60)

    other = threading.Thread(target=other_process_stores)
    other.start()
    started = time.monotonic()
    [values] = read_many([(entry, [7])])
    other.join()
    assert values == {7: "loaded elsewhere"}
    assert [7] not in calls
    assert time.monotonic() - started < 0.5


def test_a_single_flight_claim_nobody_fulfils_is_loaded_after_the_wait(slow_entry):
    entry, calls = slow_entry
    cache.add(claim_key(entry, 9), 1, 5)  # claimed by a process that died
    started = time.monotonic()
    assert read_many([(entry, [9])]) == [{9: "value 9"}]
    assert time.monotonic() - started >= 0.5
    assert calls == [[9]]


def test_a_single_flight_load_claims_then_releases(slow_entry):
    entry, calls = slow_entry
    assert read_many([(entry, [3])]) == [{3: "value 3"}]
    assert calls == [[3]]
    assert cache.get(claim_key(entry, 3)) is None  # released once stored
    assert read_many([(entry, [3])]) == [{3: "value 3"}]
    assert calls == [[3]]  # then read from the cache
