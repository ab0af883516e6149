"""Test overrides only: fast and hermetic. Database, cache and broker follow the environment."""

import os

# Tests are hermetic: only the process environment counts (DATABASE_URL, REDIS_URL...), not .env.
os.environ["DJANGO_READ_DOT_ENV"] = "false"
# Tests run with DEBUG off, as production does, but need no real secret.
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-" + "x" * 60)
# Tests never consume (or purge) the queues of a development worker that shares the broker.
os.environ.setdefault("CELERY_QUEUE_PREFIX", "test.")

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK

# Argon2 is deliberately slow; tests do not need that.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "TEST_REQUEST_DEFAULT_FORMAT": "json"}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the in-memory default: several threads (live-server tests) then share the
    # database as production processes do, with WAL and a busy timeout instead of table locks.
    # One file per run, so that runs in parallel on one checkout do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
