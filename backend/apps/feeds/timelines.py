"""
Each reader's timeline: the ids of the newest articles of the authors they follow, kept in Redis and
written at publish time by the fan-out (apps.feeds.services), so that reading a feed page is one
Redis read, not a walk of the follow graph (docs/feeds.md).

Per reader, two keys in the default cache's Redis:

- `feed:timeline:<user id>`, a sorted set whose members all score 0, so that Redis orders them by
  their bytes: `<created_at in microseconds, 16 digits>:<article id, 12 digits>:<author id>`, which
  is the feed's own order (newest first, then the highest id) read backwards. It holds at most
  FEED_TIMELINE_MAX articles (FEED_TIMELINE_MAX ≤ 128 keeps it in Redis' compact listpack encoding),
  plus the marker `~` (the timeline exists: a fan-out writes only into existing timelines, and a
  rebuild sets the marker *before* it reads the database, so that no publish falls between the two)
  and `~t` once older articles were dropped (pages beyond it are read from the database).
- `feed:authors:<user id>`, the set of authors whose newest articles the timeline holds (those of a
  rebuild, then each backfilled follow). A followed author missing from it (a follow whose backfill
  has not run yet, or the set evicted) is merged at read time, like the authors with too many
  followers to fan out to.

Both expire FEED_TIMELINE_IDLE_SECONDS after their last read: a reader who stopped reading costs
nothing. What is written here is never the only copy: every timeline can be rebuilt from the
database, so losing Redis (restart, eviction, flush) costs a rebuild on the next read, never data.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache

from apps.caching.generations import CACHE_ERRORS, cache_available, redis_enabled, redis_script, trip_cache_breaker

MARKER = "~"
TRUNCATED = "~t"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Timelines a fan-out writes per script run: bounded, so that Redis is never blocked for long.
ADD_BATCH = 500


class TimelineRow(NamedTuple):
    """An article in a feed: creation time in microseconds, id, author's id (the feed's order, descending)."""

    created_us: int
    article_id: int
    author_id: int


@dataclass(frozen=True)
class Timeline:
    """A reader's timeline as read: whether it exists, its rows newest first, its authors, if it dropped older rows."""

    exists: bool
    rows: list[TimelineRow]
    # Whether `rows` is all the timeline holds, or only its newest (`timeline_read`'s `newest`).
    whole: bool
    authors: set[int]
    truncated: bool


def microseconds(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def moment(created_us: int) -> datetime:
    return _EPOCH + created_us * _MICROSECOND


def row_member(row: TimelineRow) -> str:
    return f"{row.created_us:016d}:{row.article_id:012d}:{row.author_id}"


def _member_row(member: str) -> TimelineRow:
    created_us, article_id, author_id = member.split(":")
    return TimelineRow(int(created_us), int(article_id), int(author_id))


# ------------------------------------------------------------------------------
# Redis
# ------------------------------------------------------------------------------
def timelines_enabled() -> bool:
    """Whether timelines are kept: on Redis only (on the embedded default's cache, feeds read the database)."""
    return redis_enabled()


def timeline_keys(user_id: int) -> list[str]:
    return [
        cache.make_and_validate_key(f"feed:timeline:{user_id}"),
        cache.make_and_validate_key(f"feed:authors:{user_id}"),
    ]


# Trims KEYS[1] to ARGV[cap] articles (the markers aside), marking it truncated when it dropped any.
_TRIM = """
local function trim(key, cap)
    local markers = 1
    if redis.call("ZSCORE", key, "~t") then markers = 2 end
    local extra = redis.call("ZCARD", key) - markers - cap
    if extra > 0 then
        redis.call("ZREMRANGEBYRANK", key, 0, extra - 1)
        redis.call("ZADD", key, 0, "~t")
    end
end
"""

# KEYS: timeline, authors; ARGV: idle seconds, the rank of the last member wanted (-1: all). false when there is no
# timeline, else its newest members (the markers first: they sort highest), its authors, its size.
_READ = """
if redis.call("EXISTS", KEYS[1]) == 0 then return false end
redis.call("EXPIRE", KEYS[1], ARGV[1])
redis.call("EXPIRE", KEYS[2], ARGV[1])
local members = redis.call("ZREVRANGE", KEYS[1], 0, tonumber(ARGV[2]))
return {members, redis.call("SMEMBERS", KEYS[2]), redis.call("ZCARD", KEYS[1])}
"""

# KEYS: timeline, authors; ARGV: idle seconds. The marker first, so that fan-outs write into it from now on.
_BEGIN = """
redis.call("ZADD", KEYS[1], 0, "~")
redis.call("EXPIRE", KEYS[1], ARGV[1])
"""

# KEYS: timeline, authors; ARGV: idle seconds, cap, truncated (0/1), number of members, members..., authors...
# Adds to an existing timeline only (one that vanished since its marker was set is rebuilt by its next read).
_FILL = (
    _TRIM
    + """
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
local count = tonumber(ARGV[4])
for i = 5, 4 + count, 500 do
    local batch = {}
    for j = i, math.min(i + 499, 4 + count) do
        batch[#batch + 1] = 0
        batch[#batch + 1] = ARGV[j]
    end
    redis.call("ZADD", KEYS[1], unpack(batch))
end
if ARGV[3] == "1" then redis.call("ZADD", KEYS[1], 0, "~t") end
for i = 5 + count, #ARGV, 500 do
    redis.call("SADD", KEYS[2], unpack(ARGV, i, math.min(i + 499, #ARGV)))
end
trim(KEYS[1], tonumber(ARGV[2]))
redis.call("EXPIRE", KEYS[1], ARGV[1])
redis.call("EXPIRE", KEYS[2], ARGV[1])
return 1
"""
)

# KEYS: the timelines of some followers; ARGV: the member, cap. Into each existing one; returns how many.
_ADD = (
    _TRIM
    + """
local added = 0
for _, key in ipairs(KEYS) do
    if redis.call("EXISTS", key) == 1 then
        redis.call("ZADD", key, 0, ARGV[1])
        trim(key, tonumber(ARGV[2]))
        added = added + 1
    end
end
return added
"""
)

# KEYS: timeline, authors; ARGV: author id. Drops that author's articles and their mark.
_REMOVE_AUTHOR = """
local suffix = ":" .. ARGV[1]
for _, member in ipairs(redis.call("ZRANGE", KEYS[1], 0, -1)) do
    if string.sub(member, -#suffix) == suffix then redis.call("ZREM", KEYS[1], member) end
end
redis.call("SREM", KEYS[2], ARGV[1])
"""


def timeline_read(user_id: int, *, newest: int | None = None) -> Timeline | None:
    """
    The reader's timeline (only its `newest` rows, if given: a first page needs no more); an empty
    one without authors when it does not exist (the caller rebuilds it); None when Redis is
    unavailable (the caller reads the database).
    """
    if not timelines_enabled() or not cache_available():
        return None
    last_rank = -1 if newest is None else newest + 1  # the (at most two) markers come first
    try:
        found = redis_script(_READ, timeline_keys(user_id), [settings.FEED_TIMELINE_IDLE_SECONDS, last_rank])
    except CACHE_ERRORS as exc:
        trip_cache_breaker(exc)
        return None
    if not found:
        return Timeline(exists=False, rows=[], authors=set(), truncated=False, whole=True)
    members, authors, size = found
    decoded = [member.decode() for member in members]
    return Timeline(
        exists=True,
        rows=[_member_row(member) for member in decoded if not member.startswith(MARKER)],
        authors={int(author) for author in authors},
        truncated=TRUNCATED in decoded,
        whole=len(members) == size,
    )


def timeline_begin(user_id: int) -> bool:
    """Sets the reader's timeline marker before a rebuild reads the database; False when Redis is unavailable."""
    try:
        redis_script(_BEGIN, timeline_keys(user_id), [settings.FEED_TIMELINE_IDLE_SECONDS])
    except CACHE_ERRORS as exc:
        trip_cache_breaker(exc)
        return False
    return True


def timeline_fill(user_id: int, rows: Iterable[TimelineRow], *, authors: Iterable[int], truncated: bool) -> None:
    """
    Adds `rows` (the newest of `authors`; `truncated`: there are older ones) to the reader's
    timeline if it exists, and marks `authors` as held. Raises the cache's error (tasks retry).
    """
    members = [row_member(row) for row in rows]
    args = [settings.FEED_TIMELINE_IDLE_SECONDS, settings.FEED_TIMELINE_MAX, int(truncated), len(members)]
    redis_script(_FILL, timeline_keys(user_id), [*args, *members, *authors])


def timelines_add(user_ids: Sequence[int], row: TimelineRow) -> int:
    """Adds the article `row` to these readers' existing timelines; how many. Raises the cache's error (tasks retry)."""
    added = 0
    member = row_member(row)
    for start in range(0, len(user_ids), ADD_BATCH):
        keys = [timeline_keys(user_id)[0] for user_id in user_ids[start : start + ADD_BATCH]]
        added += int(redis_script(_ADD, keys, [member, settings.FEED_TIMELINE_MAX]))
    return added


def timeline_remove_author(user_id: int, author_id: int) -> None:
    """Drops an unfollowed author's articles from the reader's timeline. Raises the cache's error (tasks retry)."""
    redis_script(_REMOVE_AUTHOR, timeline_keys(user_id), [author_id])
