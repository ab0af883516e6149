"""
The cached-read protocol: every cached read of the API is declared once, in its app's `caching.py`,
as a `CachedEntry` (name, TTL, loader, and the stamps it depends on), and every write that changes
cached data as an `invalidation` (the stamps it bumps). Selectors read entries with `read_many`;
views never see a key.

- A *stamp* is a generation counter (apps.caching.generations) of one small piece of data: article
  42's content, the favorites count of article 42, the membership of the list of the tag `django`.
  A `Stamp` names a family of them (one per id, per tag, ... or a single one).
- An *entry* holds one value (an article's content, a page of ids) together with the values of the
  stamps it was loaded under. `read_many` fetches the stamps and the entries in one round trip
  (MGET), keeps the entries whose stamps are unchanged, and loads the others in one batch per kind
  from the primary database, storing them with the stamps read *before* loading: an entry filled
  from data older than a write can only carry the stamps from before that write, so it never
  matches again. A loader may return the values of other kinds it read on the way (`Loaded`: an
  article's row holds its favorites count, its join its author's profile): those requested in the
  same call are taken from it instead of being loaded again, stored under the stamps that call read
  first, like the loader's own. Invalidating is bumping a few stamps after the commit, O(1), never a delete or a
  SCAN, and a write touches only the entries made of what it changed (docs/caching.md).
- Every stamp a request reads is recorded (`track_reads`): the ETag of the response is made of them,
  and a stored anonymous response is valid while they all are (apps.caching.responses).
- Inside a transaction (a write building its response) entries are neither read nor stored: the
  data may not be committed yet, and a rolled-back write must never reach the cache. With the cache
  down, every read is a load from the database (through the router: a replica may answer).

The registries (`ENTRIES`, `WRITES`) let a test derive which write invalidates which read.
"""

import functools
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, transaction

from apps.caching.generations import (
    GENERATION_TTL,
    Versions,
    cache_available,
    generations_bump,
    key_part,
    run_cache_operation,
)
from apps.observability import metrics

logger = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")
P = ParamSpec("P")

# The stamps of an entry as stored beside its value: their values, in its declaration's order.
StampValues = tuple[int, ...]


# ------------------------------------------------------------------------------
# Declarations
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stamp:
    """A family of stamps: `ARTICLE.key(42)` is the stamp of article 42; a single one has no part."""

    name: str

    def key(self, part: object = None) -> str:
        return f"stamp:{self.name}" if part is None else f"stamp:{self.name}:{key_part(str(part))}"

    def owns(self, key: str) -> bool:
        return key == f"stamp:{self.name}" or key.startswith(f"stamp:{self.name}:")


# A stamp family and what of an entry's parameter names the member of it (None: the entry does not
# depend on that family for this parameter, e.g. the list of all articles on a tag's stamp; `Each`:
# it depends on several members, e.g. a feed on each followed author's articles).
Dependency = tuple[Stamp, Callable[[Any], object]]


class Each(tuple[object, ...]):
    """The members of a stamp family an entry depends on, when it depends on several (a `Dependency`'s part)."""


def single(_: object) -> object:
    """The part of a family with one member: every entry of the kind depends on that one."""
    return None


# What only one viewer sees changed (their `favorited` and `following` flags): part of the ETag of
# every response they get, never of a shared entry.
VIEWER = Stamp("viewer")

# Which of a user's tokens are good, by user id: a response kept for one of their tokens
# (apps.caching.responses) is made of it, so that a revocation or a deactivation unkeeps them all
# (bumped by apps.users.caching.user_tokens_changed).
USER_TOKENS = Stamp("user-tokens")

# Every entry depends on it: bumped when data changed behind the services' back (a bulk load).
EPOCH = Stamp("epoch")

ENTRIES: dict[str, "CachedEntry[Any, Any]"] = {}
# Write kind (`app.caching.function`) -> the stamp families it bumps.
WRITES: dict[str, tuple[Stamp, ...]] = {}


@dataclass(frozen=True, eq=False)
class CachedEntry(Generic[K, V]):
    """
    One kind of cached value: `load(params, using)` returns the value of each parameter (None for
    "there is none", which is cached too), read from the database alias `using`.
    """

    name: str
    ttl: int
    load: Callable[[list[K], str | None], Mapping[K, V]]
    depends_on: tuple[Dependency, ...]
    # Seconds a reader waits for another process already loading the same missing entry (a slow
    # load asked for by many at once, e.g. a search: one loads, the others take its result; 0: each
    # loads its own). After that wait it loads the entry itself.
    single_flight: float = 0
    families: tuple[Stamp, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "families", (EPOCH, *(stamp for stamp, _ in self.depends_on)))
        if self.name in ENTRIES:
            raise ValueError(f"cached entry {self.name!r} declared twice")
        ENTRIES[self.name] = self

    def key(self, param: K) -> str:
        parts = param if isinstance(param, tuple) else (param,)
        return f"entry:{self.name}:{key_part('|'.join('' if part is None else str(part) for part in parts))}"

    def stamp_keys(self, param: K) -> list[str]:
        keys = [EPOCH.key()]
        for stamp, part_of in self.depends_on:
            if part_of is single:
                keys.append(stamp.key())
            elif isinstance(part := part_of(param), Each):
                keys.extend(stamp.key(member) for member in part)
            elif part is not None:
                keys.append(stamp.key(part))
        return keys


class Loaded(dict[K, V]):
    """
    What a loader returns when it read other kinds' values too: `companions[entry name]` holds them,
    {param: value}, each exactly what that kind's own loader would return for the param.
    """

    def __init__(self, values: Mapping[K, V], companions: Mapping[str, Mapping[Any, Any]]) -> None:
        super().__init__(values)
        self.companions = companions


def invalidation(*families: Stamp) -> Callable[[Callable[P, Iterable[str]]], Callable[P, None]]:
    """
    Declares a write kind: the decorated function names the stamps the write bumps (each of one of
    `families`); calling it bumps them once the current transaction commits (at once outside one).
    """

    def declare(stamps_of: Callable[P, Iterable[str]]) -> Callable[P, None]:
        WRITES[f"{stamps_of.__module__}.{stamps_of.__name__}"] = families

        @functools.wraps(stamps_of)
        def invalidate(*args: P.args, **kwargs: P.kwargs) -> None:
            keys = list(stamps_of(*args, **kwargs))
            strays = [key for key in keys if not any(family.owns(key) for family in families)]
            if strays:
                raise ValueError(f"{stamps_of.__name__} bumps undeclared stamps: {strays}")
            transaction.on_commit(lambda: generations_bump(*keys))

        return invalidate

    return declare


@invalidation(EPOCH)
def everything_changed() -> Iterable[str]:
    """Data was written behind the services' back (seed, a restore): no entry stored so far holds."""
    return [EPOCH.key()]


# ------------------------------------------------------------------------------
# What a request read: the stamps behind its response
# ------------------------------------------------------------------------------
@dataclass
class ReadTracker:
    """The stamps read while answering one request; `complete` is False if some data bypassed the cache."""

    stamps: Versions = field(default_factory=dict)
    complete: bool = True
    # Stamps to fetch with the first entries (the viewer's own), spared a round trip of their own.
    extra: list[str] = field(default_factory=list)


_tracker: ContextVar[ReadTracker | None] = ContextVar("cached_reads_tracker", default=None)


@contextmanager
def track_reads(*, extra: Sequence[str] = ()) -> Iterator[ReadTracker]:
    """Records the stamps of every entry read inside the block (and the `extra` stamps)."""
    tracker = ReadTracker(extra=list(extra))
    token = _tracker.set(tracker)
    try:
        yield tracker
        if tracker.extra:  # nothing was read from the cache: read them now
            _fetch(tracker.extra, tracker)
    finally:
        _tracker.reset(token)


def _fetch(stamp_keys: list[str], tracker: ReadTracker | None) -> Versions | None:
    values = _stamps_get(stamp_keys)
    if tracker is not None:
        tracker.extra = []
        if values is None:
            tracker.complete = False
        else:
            tracker.stamps.update(values)
    return values


# ------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------
Request = tuple["CachedEntry[Any, Any]", Sequence[Any]]


def read_many(requests: Sequence[Request]) -> list[dict[Any, Any]]:
    """
    For each (entry, params) request, {param: value}, every entry fetched in one round trip and the
    missing or outdated ones loaded in one batch per entry kind; from the database alone inside a
    transaction, while invalidations wait for a commit, or while the cache is down.
    """
    tracker = _tracker.get()
    wanted = [(entry, list(dict.fromkeys(params))) for entry, params in requests]

    # Values of kinds requested later in this call, read by an earlier kind's loader (`Loaded`).
    companions: dict[str, dict[Any, Any]] = {}

    def from_the_database() -> list[dict[Any, Any]]:
        if tracker is not None:
            tracker.complete = False
        return [_load(entry, params, None, companions) for entry, params in wanted]

    if _in_transaction() or _invalidations_pending() or not cache_available():
        return from_the_database()

    # Each entry's key and stamp keys, made once: (entry key, stamp keys) per parameter, per request.
    keys = [{param: (entry.key(param), entry.stamp_keys(param)) for param in params} for entry, params in wanted]
    stamp_keys = dict.fromkeys(key for by_param in keys for _, stamps_of in by_param.values() for key in stamps_of)
    extra = tracker.extra if tracker is not None else []
    entry_keys = [entry_key for by_param in keys for entry_key, _ in by_param.values()]
    found = run_cache_operation("get_many", [*stamp_keys, *extra, *entry_keys], default=None)
    stamps = None if found is None else _stamps_complete([*stamp_keys, *extra], found)
    if found is None or stamps is None:
        return from_the_database()
    if tracker is not None:
        tracker.extra = []
        tracker.stamps.update(stamps)

    results: list[dict[Any, Any]] = []
    for (entry, params), by_param in zip(wanted, keys, strict=True):
        values: dict[Any, Any] = {}
        current = {param: tuple(stamps[key] for key in stamps_of) for param, (_, stamps_of) in by_param.items()}
        missing: list[Any] = []
        for param in params:
            stored = found.get(by_param[param][0])
            if stored is not None and stored[0] == current[param]:
                values[param] = stored[1]
            else:
                missing.append(param)
        metrics.cache_reads.labels(layer="entry", result="hit").inc(len(values))
        if missing:
            metrics.cache_reads.labels(layer="entry", result="miss").inc(len(missing))
            claimed: list[str] = []
            if entry.single_flight:
                missing, claimed, loaded_by_others = _single_flight(entry, missing, by_param, current)
                values.update(loaded_by_others)
            fresh = _load(entry, missing, DEFAULT_DB_ALIAS, companions) if missing else {}
            stored_now = {by_param[param][0]: (current[param], value) for param, value in fresh.items()}
            run_cache_operation("set_many", stored_now, entry.ttl, default=None)
            if claimed:
                run_cache_operation("delete_many", claimed, default=None)
            values.update(fresh)
        results.append(values)
    return results


SINGLE_FLIGHT_POLL_SECONDS = 0.02


def _single_flight(
    entry: CachedEntry[Any, Any],
    missing: list[Any],
    by_param: dict[Any, tuple[str, list[str]]],
    current: dict[Any, Any],
) -> tuple[list[Any], list[str], dict[Any, Any]]:
    """
    Of the `missing` parameters, those this process must load (it claimed them, or waited in vain),
    the claims to release once stored, and the values another process stored meanwhile under the
    current stamps. A claim is a key added next to the entry's, expiring with the wait.
    """
    claims = {param: f"loading:{by_param[param][0]}" for param in missing}
    ttl = max(1, int(entry.single_flight) + 1)
    mine = [param for param in missing if run_cache_operation("add", claims[param], 1, ttl, default=True)]
    waiting = [param for param in missing if param not in mine]
    found: dict[Any, Any] = {}
    deadline = time.monotonic() + entry.single_flight
    while waiting and time.monotonic() < deadline:
        time.sleep(SINGLE_FLIGHT_POLL_SECONDS)
        stored = run_cache_operation("get_many", [by_param[param][0] for param in waiting], default=None)
        if stored is None:  # the cache failed: load them here
            break
        for param in list(waiting):
            entry_value = stored.get(by_param[param][0])
            if entry_value is not None and entry_value[0] == current[param]:
                found[param] = entry_value[1]
                waiting.remove(param)
    return [*mine, *waiting], [claims[param] for param in mine], found


def _load(
    entry: CachedEntry[Any, Any], params: list[Any], using: str | None, companions: dict[str, dict[Any, Any]]
) -> dict[Any, Any]:
    """
    The value of each of `params` (None: there is none), taken from `companions` when an earlier
    loader of the same call read it, else loaded; what this loader reads of other kinds joins `companions`.
    """
    provided = companions.get(entry.name, {})
    to_load = [param for param in params if param not in provided]
    loaded = entry.load(to_load, using) if to_load else {}
    if isinstance(loaded, Loaded):
        for name, values in loaded.companions.items():
            companions.setdefault(name, {}).update(values)
    return {param: provided[param] if param in provided else loaded.get(param) for param in params}


def _in_transaction() -> bool:
    """Inside a transaction of the app's own (not the one a test case wraps each test in, which Django marks)."""
    return any(not getattr(block, "_from_testcase", False) for block in transaction.get_connection().atomic_blocks)


def _invalidations_pending() -> bool:
    """
    Whether committed writes still wait for their invalidations: never in a request, whose write's
    transaction runs them as it commits; but a transaction wrapped in an outer one (a test case's)
    commits only with it, and until then the cache may hold what the write changed.
    """
    return bool(transaction.get_connection().run_on_commit)


def _stamps_get(keys: list[str]) -> Versions | None:
    found = run_cache_operation("get_many", keys, default=None)
    return None if found is None else _stamps_complete(keys, found)


def _stamps_complete(keys: list[str], found: dict[str, Any]) -> Versions | None:
    """
    The values of the stamps `keys` among `found`, creating the missing ones; None if the cache
    fails. A new stamp starts at the current time in microseconds, not at 1: after an eviction it
    can never come back to a value that entries were stored under before.
    """
    stamps: Versions = {}
    for key in keys:
        value = found.get(key)
        if value is None:
            run_cache_operation("add", key, time.time_ns() // 1000, GENERATION_TTL, default=False)
            value = run_cache_operation("get", key, default=None)
            if value is None:
                return None
        stamps[key] = value
    return stamps


def read_uncached() -> None:
    """
    Marks the response being built as showing data read straight from the database (a personal feed's
    ids): no stamp covers it, so its ETag is made of its content and it is not stored.
    """
    tracker = _tracker.get()
    if tracker is not None:
        tracker.complete = False
