"""
What feed timelines cost in Redis (docs/feeds.md): fills USERS timelines through the project's own
`timeline_fill` (full, FEED_TIMELINE_MAX articles each, truncated), each holding FOLLOWS followed
authors, in a Redis database of its own, and reports `used_memory` before and after, per timeline.

    PYTHONPATH=backend .venv/bin/python -m tools.bench.timeline_memory --users 100000 --follows 10 \
        --redis redis://127.0.0.1:6379/9

The database given is flushed before and after. Members have the production format; their values
(times, ids) are synthetic, which does not change their size.
"""

import argparse
import os
import random
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DJANGO_READ_DOT_ENV", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "timeline-memory-" + "x" * 50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--follows", type=int, default=10, help="followed authors held per timeline")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    args = parser.parse_args()
    os.environ["REDIS_URL"] = args.redis

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache

    from apps.feeds.timelines import TimelineRow, timeline_begin, timeline_fill

    client = cache.redis_client()  # type: ignore[attr-defined]
    client.flushdb()
    before = client.info("memory")["used_memory"]
    cap, now = settings.FEED_TIMELINE_MAX, time.time_ns() // 1000
    started = time.monotonic()
    for user_id in range(1, args.users + 1):
        authors = random.sample(range(1, 100_000), args.follows)
        rows = [TimelineRow(now - n * 60_000_000, 1_000_000 - n, random.choice(authors)) for n in range(cap)]
        timeline_begin(user_id)  # as a rebuild does: the marker, then the rows
        timeline_fill(user_id, rows, authors=authors, truncated=True)
    after = client.info("memory")["used_memory"]
    sample, seconds = cache.make_and_validate_key("feed:timeline:1"), time.monotonic() - started
    print(
        f"{args.users:,} timelines of {cap} articles and {args.follows} authors each, in {seconds:.0f} s: "
        f"{(after - before) / 2**20:,.1f} MiB in all (used_memory), {(after - before) / args.users / 1024:.2f} KiB per "
        f"reader; one timeline's MEMORY USAGE {client.memory_usage(sample):,} bytes "
        f"({client.object('encoding', sample).decode()}), its authors' "
        f"{client.memory_usage(cache.make_and_validate_key('feed:authors:1')):,} bytes"
    )
    client.flushdb()


if __name__ == "__main__":
    main()
