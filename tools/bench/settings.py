"""
The project's own settings (config.settings.base) with the two switches the benchmark varies:

- BENCH_CACHE=off: the cache is Django's DummyCache, so every read goes to the database exactly as
  it does when Redis is down (no generation counters, no ETag, no shared entries);
- BENCH_DB_POOL=<max size>: psycopg 3's connection pool (Django 5.2 `OPTIONS["pool"]`, which needs
  CONN_MAX_AGE=0) instead of persistent per-thread connections.

Only the benchmark uses this module (DJANGO_SETTINGS_MODULE=tools.bench.settings).
"""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import CACHES, DATABASES

if os.environ.get("BENCH_CACHE", "on") == "off":
    # The data cache only: the security store (rate limits) stays, as when the data Redis is down and
    # the security one is not (docs/deploy.md); a search counts against its limit then (the bench's is high).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}, "security": CACHES["security"]}

if os.environ.get("BENCH_DB_POOL"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": int(os.environ["BENCH_DB_POOL"]),
        "timeout": 10,
    }
