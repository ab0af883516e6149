"""
Every setting of the project, read from the environment (django-environ).

With no environment at all the project runs on its *embedded default*: SQLite under var/,
an in-process cache and Celery tasks run eagerly. DATABASE_URL, REDIS_URL and
CELERY_BROKER_URL switch to PostgreSQL, Redis and a real broker with no code change.
Only this module reads the environment; everything else uses django.conf.settings.
"""

import hashlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from corsheaders.defaults import default_headers as default_cors_headers
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # backend/
REPO_DIR = BASE_DIR.parent
VAR_DIR = REPO_DIR / "var"  # git-ignored: the SQLite file and other local state

env = environ.Env()
# A .env at the repository root is read if present; the process environment wins.
# The test settings turn this off so that the suite does not depend on a developer's .env.
if env.bool("DJANGO_READ_DOT_ENV", default=True):
    environ.Env.read_env(REPO_DIR / ".env", overwrite=False)

# ------------------------------------------------------------------------------
# Core
# https://docs.djangoproject.com/en/5.2/ref/settings/#core-settings
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# The secret key signs the API's tokens: whoever knows it can sign in as anyone. There is no built-in
# value: `make` writes a random one into a new .env, and with DEBUG on and none set, a random key is
# made once into DJANGO_SECRET_KEY_FILE (var/secret_key, mode 0600), so workers and restarts agree.
_INSECURE_PREFIX = "django-insecure-"
# SHA-256 digests of keys once published in this repository (the old DEBUG default): refused in every mode.
_PUBLISHED_KEY_DIGESTS = {"a4a721149b809bd5fee7181c34fccbecde4af2ab065e3cb441958213f06420a9"}


def _development_secret_key(path: Path) -> str:
    """The key kept in `path`; a random one written there first (atomically, 0600) if there is none."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(draft, path)  # never replaces: concurrent workers all keep the first key written
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable secret key: delete it and a new one is made.")
    return key


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if hashlib.sha256(SECRET_KEY.encode()).hexdigest() in _PUBLISHED_KEY_DIGESTS:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is the development key once published in this repository: anyone can sign tokens "
        "with it. Remove the DJANGO_SECRET_KEY line from .env (with DJANGO_DEBUG on a random key is then kept in "
        "var/secret_key), or set 50+ random characters: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production mode).")
    SECRET_KEY = _development_secret_key(Path(env.str("DJANGO_SECRET_KEY_FILE", default=str(VAR_DIR / "secret_key"))))
elif not DEBUG and (SECRET_KEY.startswith(_INSECURE_PREFIX) or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is too weak for production: use 50+ random characters.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# The API never uses trailing slashes: a redirect would drop a POST body.
APPEND_SLASH = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.core",
    "apps.caching",
    "apps.routing",
    "apps.api",
    "apps.users",
    "apps.profiles",
    "apps.tags",
    "apps.articles",
    "apps.comments",
    "apps.feeds",
    "apps.outbox",
    "apps.notifications",
    "apps.stats",
    "apps.idempotency",
    "apps.health",
    "apps.observability",
    "apps.devtools",
]

# Anonymous API reads whose data is unchanged never reach this chain: config.asgi/wsgi answer them in
# front of Django, with the headers this chain gave them when they were stored (apps.caching.responses).
MIDDLEWARE = [
    "apps.core.request_id.RequestIdMiddleware",
    # Inside the request id (its log line carries it), around everything else (it times it all).
    "apps.observability.middleware.AccessLogMiddleware",
    "apps.api.middleware.DeprecationHeadersMiddleware",
    "apps.api.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.api.http_caching.CacheHeadersMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "apps.api.middleware.UnversionedApiMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database
# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
# ------------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A fresh PostgreSQL connection costs ~14 ms of CPU here: keep connections open and check them.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that does not answer fails the request (and /readyz) quickly instead of hanging it.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL and IMMEDIATE transactions let several uvicorn workers share the file without
        # "database is locked" errors on concurrent writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ------------------------------------------------------------------------------
# Read replicas (optional): docs/replicas.md
# https://docs.djangoproject.com/en/5.2/topics/db/multi-db/
# ------------------------------------------------------------------------------
# DATABASE_REPLICA_URL: one or more comma-separated URLs of streaming replicas of DATABASE_URL,
# which become the aliases replica1..N. Unset, there is one database and no router.
DATABASE_REPLICA_CONNECT_TIMEOUT = env.int("DATABASE_REPLICA_CONNECT_TIMEOUT", default=2)
# After a client's successful write, its reads go to the primary for this long (0 turns it off).
DATABASE_READ_YOUR_WRITES_SECONDS = env.int("DATABASE_READ_YOUR_WRITES_SECONDS", default=5)
# How long a replica's health verdict (a TCP connect) is trusted before it is checked again.
DATABASE_REPLICA_HEALTH_SECONDS = 5
DATABASE_REPLICAS: list[str] = []
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URL", default=[]), start=1):
    _replica = environ.Env.db_url_config(_url.strip())
    if _replica["ENGINE"] != DATABASES["default"]["ENGINE"] or "sqlite" in _replica["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL: replicas are PostgreSQL servers, as DATABASE_URL must be.")
    _replica.update(
        # Replicas only serve reads: a request-wide transaction would connect to them on every request.
        ATOMIC_REQUESTS=False,
        CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=DATABASES["default"]["CONN_HEALTH_CHECKS"],
        # The test runner creates no database on a replica: it reads the primary's test database.
        TEST={"MIRROR": "default"},
    )
    _replica.setdefault("OPTIONS", {})["connect_timeout"] = DATABASE_REPLICA_CONNECT_TIMEOUT
    DATABASES[f"replica{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_number}")
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["apps.routing.router.ReplicaRouter"]
    MIDDLEWARE = [*MIDDLEWARE, "apps.routing.router.ReplicaMiddleware"]

# ------------------------------------------------------------------------------
# Authentication
# https://docs.djangoproject.com/en/5.2/topics/auth/customizing/
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

# https://django-rest-framework-simplejwt.readthedocs.io/en/latest/settings.html
SIMPLE_JWT = {
    # RealWorld has no refresh flow: the access token is the session, so it lives for days.
    "ACCESS_TOKEN_LIFETIME": timedelta(days=env.int("JWT_ACCESS_TOKEN_DAYS", default=14)),
    "AUTH_HEADER_TYPES": ("Token", "Bearer"),
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    # Keyed on the id, so a token stays valid when the username or e-mail changes.
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "UPDATE_LAST_LOGIN": False,
}

# ------------------------------------------------------------------------------
# Internationalisation and time
# https://docs.djangoproject.com/en/5.2/topics/i18n/
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# ------------------------------------------------------------------------------
# Static files (admin and the offline Swagger UI / ReDoc), served by WhiteNoise
# https://whitenoise.readthedocs.io/
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # filled by `manage.py collectstatic`
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# A file missing from the manifest falls back to its plain name instead of failing the page.
WHITENOISE_MANIFEST_STRICT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# ------------------------------------------------------------------------------
# Cache: Redis when REDIS_URL is set, an in-process cache otherwise
# https://docs.djangoproject.com/en/5.2/topics/cache/
# ------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": {
        # Django's RedisCache with one connection pool per process (see the module for why).
        "BACKEND": "apps.caching.backends.RedisCache" if REDIS_URL else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": REDIS_URL or "conduit",
        "KEY_PREFIX": env.str("DJANGO_CACHE_KEY_PREFIX", default="conduit"),
        # Bump when the shape of cached entries changes, so that a deploy ignores the old ones.
        "VERSION": 1,
        "TIMEOUT": 300,
        # A slow or dead Redis must cost a request little: short timeouts, then the database
        # serves (apps.caching.generations stops trying for a few seconds after a failure).
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25} if REDIS_URL else {},
    }
}
# Security state (rate-limit counters, read-your-writes markers: apps.caching.security_state) apart from
# the data cache, so that filling that one cannot evict a limit. In production: a Redis instance of its
# own with `maxmemory-policy noeviction` (docs/deploy.md). Unset, it shares REDIS_URL's instance.
SECURITY_REDIS_URL = env.str("SECURITY_REDIS_URL", default=REDIS_URL)
CACHES["security"] = {
    **CACHES["default"],
    "BACKEND": "apps.caching.backends.RedisCache"
    if SECURITY_REDIS_URL
    else "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": SECURITY_REDIS_URL or "conduit-security",
    "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25} if SECURITY_REDIS_URL else {},
}

# Rendered anonymous responses (apps.caching.responses) larger than this are not stored: a few huge
# pages must not crowd the hot ones out of the cache.
RESPONSE_CACHE_MAX_BYTES = env.int("RESPONSE_CACHE_MAX_BYTES", default=256 * 1024)

# Threads per server process that run Django (config.asgi: a2wsgi's pool; its default is 10). Stored
# responses never reach them. Each is one database connection at most.
WSGI_THREADS = env.int("WSGI_THREADS", default=10)

# HTTP caching of anonymous API reads by browsers and CDNs (apps.api.http_caching); signed-in
# reads are private and revalidated with their ETag.
HTTP_CACHE_MAX_AGE = env.int("HTTP_CACHE_MAX_AGE", default=0)
HTTP_CACHE_S_MAXAGE = env.int("HTTP_CACHE_S_MAXAGE", default=10)
HTTP_CACHE_STALE_WHILE_REVALIDATE = env.int("HTTP_CACHE_STALE_WHILE_REVALIDATE", default=30)

# ------------------------------------------------------------------------------
# Celery: a real broker when CELERY_BROKER_URL is set, eager in-process tasks otherwise.
# Tasks are enqueued only through the transactional outbox (apps.outbox): docs/tasks.md
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# ------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# Acknowledged only once finished: the task of a worker that dies (even by SIGKILL) is redelivered.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A lost broker connection cancels running tasks (their acks could not be sent): they are redelivered.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# One message at a time per worker process: a long fan-out chunk never holds short tasks back.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Defaults; longer tasks set their own limits in their decorator. Retries: config.celery.ConduitTask.
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_TIMEOUT = 4
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers keep Django's LOGGING, whose lines carry the request id.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
if CELERY_BROKER_URL.startswith("redis"):
    # An unacknowledged message (its worker died) goes back to its queue after this long: keep it above
    # any task's run time. Workers look for such messages every few seconds (kombu's default: 100 s).
    _visibility_timeout = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600)
    # The sweep holds a lock in Redis for a moment; a worker killed while holding it (SIGKILL, OOM) would
    # block every sweep until the lock expires (kombu's default: 300 s, longer than a short visibility
    # timeout itself: a fault drill once waited 80 s in vain). A fraction of the timeout bounds that delay.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility_timeout,
        "unacked_restore_interval": max(1, min(10, _visibility_timeout // 5)),
        "unacked_restore_throttle": 1,
        "unacked_mutex_expire": max(5, min(300, _visibility_timeout // 4)),
    }
else:
    # RabbitMQ confirms each publish: the outbox marks a row sent only once the broker has stored it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
# Named queues: `default`, `fanout` (notifying followers) and `email`. CELERY_QUEUE_PREFIX lets several
# environments (the test suite, say) share one broker.
TASK_QUEUE_PREFIX = env.str("CELERY_QUEUE_PREFIX", default="")
TASK_QUEUES = {name: f"{TASK_QUEUE_PREFIX}{name}" for name in ("default", "fanout", "email")}
CELERY_TASK_QUEUES = [Queue(queue, Exchange(queue, type="direct"), routing_key=queue) for queue in TASK_QUEUES.values()]
CELERY_TASK_DEFAULT_QUEUE = TASK_QUEUES["default"]
CELERY_TASK_DEFAULT_EXCHANGE = TASK_QUEUES["default"]
CELERY_TASK_DEFAULT_ROUTING_KEY = TASK_QUEUES["default"]
CELERY_TASK_ROUTES = {
    "notifications.article_published_fanout": {"queue": TASK_QUEUES["fanout"]},
    "notifications.article_published_chunk": {"queue": TASK_QUEUES["fanout"]},
    "feeds.timelines_article_published": {"queue": TASK_QUEUES["fanout"]},
    "feeds.timelines_follow_changed": {"queue": TASK_QUEUES["fanout"]},
    "notifications.welcome_email": {"queue": TASK_QUEUES["email"]},
    "notifications.email_send": {"queue": TASK_QUEUES["email"]},
}
# Periodic jobs (`make beat`). A run that is late by a whole period is dropped (`expires`): the next one does the same.
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {"task": "outbox.relay", "schedule": 30.0, "options": {"expires": 30}},
    "popular-tags": {"task": "stats.tag_popularity_recompute", "schedule": 600.0, "options": {"expires": 600}},
    "favorites-count-reconcile": {"task": "stats.favorites_count_reconcile", "schedule": crontab(minute=17)},
    "email-requeue-unsent": {
        "task": "notifications.email_requeue_unsent",
        "schedule": 600.0,
        "options": {"expires": 600},
    },
    "notifications-purge-read": {"task": "notifications.purge_read", "schedule": crontab(hour=3, minute=30)},
    "outbox-purge-sent": {"task": "outbox.purge_sent", "schedule": crontab(hour=3, minute=45)},
    "idempotency-purge-expired": {"task": "idempotency.purge_expired", "schedule": crontab(hour=4, minute=0)},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Background work (apps.outbox, apps.notifications): docs/tasks.md
NOTIFICATIONS_FANOUT_CHUNK_SIZE = env.int("NOTIFICATIONS_FANOUT_CHUNK_SIZE", default=500)
NOTIFICATIONS_READ_RETENTION_DAYS = env.int("NOTIFICATIONS_READ_RETENTION_DAYS", default=30)
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=7)
# Personal feeds (apps.feeds, docs/feeds.md): each reader's timeline holds the newest FEED_TIMELINE_MAX
# articles of the authors they follow, written by the publish's fan-out, for authors with at most
# FEED_FANOUT_MAX_FOLLOWERS followers (the others are merged at read time); it expires after
# FEED_TIMELINE_IDLE_SECONDS without a read (the first read after rebuilds it from the database).
FEED_TIMELINE_MAX = env.int("FEED_TIMELINE_MAX", default=120)
FEED_FANOUT_MAX_FOLLOWERS = env.int("FEED_FANOUT_MAX_FOLLOWERS", default=5000)
FEED_TIMELINE_IDLE_SECONDS = env.int("FEED_TIMELINE_IDLE_SECONDS", default=3 * 24 * 3600)
# Where e-mails link to: the SPA.
SITE_URL = env.str("SITE_URL", default="http://localhost:5173")

# ------------------------------------------------------------------------------
# E-mail
# https://docs.djangoproject.com/en/5.2/topics/email/
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Conduit <no-reply@conduit.localhost>")
# SMTP (DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("DJANGO_EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)
# File backend (django.core.mail.backends.filebased.EmailBackend): one file per connection.
EMAIL_FILE_PATH = env.str("DJANGO_EMAIL_FILE_PATH", default=str(VAR_DIR / "emails"))

# ------------------------------------------------------------------------------
# Django REST framework
# https://www.django-rest-framework.org/api-guide/settings/
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.users.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["apps.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "apps.api.exception_handler.exception_handler",
    "DEFAULT_VERSIONING_CLASS": "apps.api.versioning.URLPathVersioning",
    # The versions are declared in apps.api.versions.VERSIONS (their deprecation below: API_VERSIONS).
    "DEFAULT_VERSION": "v1",
    "DEFAULT_SCHEMA_CLASS": "apps.api.schema.VersionedAutoSchema",
    # Fixed fractional seconds: RealWorld clients (and the legacy suite) expect them.
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Writes per user on every view; sign-up and login set their own (apps.api.throttling).
    "DEFAULT_THROTTLE_CLASSES": ["apps.api.throttling.UserWriteThrottle"],
    # How many trusted proxies (the balancer) append to X-Forwarded-For. 0: the header is ignored and the
    # client is the TCP peer, so nobody can pick their own address; `make cluster` sets 1 for nginx.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}

# ------------------------------------------------------------------------------
# Abuse limits: rate limits (apps.api.throttling), request sizes, idempotent retries
# https://www.django-rest-framework.org/api-guide/throttling/
# ------------------------------------------------------------------------------
# "<count>/<s|m|h|d>". The defaults are far above any normal client and the RealWorld suites run twice
# from one address (about 45 sign-ups); a load test from one address needs higher sign-up and write rates.
# Failed logins (docs/security.md): per (e-mail, address) pair, per address, and per account from
# addresses that never signed in to it (a trusted address is remembered LOGIN_TRUSTED_CLIENT_DAYS).
THROTTLE_RATES = {
    "login_failures_pair": env.str("THROTTLE_RATE_LOGIN_FAILURES_PAIR", default="10/15m"),
    "login_failures_account": env.str("THROTTLE_RATE_LOGIN_FAILURES_ACCOUNT", default="100/h"),
    "login_failures_ip": env.str("THROTTLE_RATE_LOGIN_FAILURES_IP", default="200/h"),
    "signups_ip": env.str("THROTTLE_RATE_SIGNUPS_IP", default="600/h"),
    "writes_user": env.str("THROTTLE_RATE_WRITES_USER", default="300/m"),
    # v2's searches that reach the database (a text not searched lately): each can cost up to the
    # search statement timeout (apps.articles.search), so a client sending distinct texts is limited.
    "new_searches_client": env.str("THROTTLE_RATE_NEW_SEARCHES_CLIENT", default="60/m"),
}
LOGIN_TRUSTED_CLIENT_DAYS = env.int("LOGIN_TRUSTED_CLIENT_DAYS", default=30)
# Larger request bodies are refused with 413 (apps.api.middleware.RequestSizeLimitMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
# How long a create's Idempotency-Key replays its first response (apps.idempotency).
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# The deepest `offset` the article lists and the feed accept (422 beyond): the database walks past every
# skipped row (offset 10,000: ~210 ms, docs/queries.md), and deeper pages are what `cursor` is for. At the
# SPA's 10 articles a page, page 101; the schema publishes it as the parameter's maximum.
PAGINATION_MAX_OFFSET = env.int("PAGINATION_MAX_OFFSET", default=1000)

# ------------------------------------------------------------------------------
# API versions: deprecation and sunset (docs/api-versions.md)
# https://www.rfc-editor.org/rfc/rfc9745 (Deprecation), https://www.rfc-editor.org/rfc/rfc8594 (Sunset)
# ------------------------------------------------------------------------------
# Per version (apps.api.versions.VERSIONS): API_<V>_DEPRECATION (the date the version is or was
# deprecated, ISO 8601: `2027-06-01`), API_<V>_SUNSET (the date it stops being served) and
# API_<V>_DEPRECATION_LINK (the migration guide). Unset: the version is current and its responses
# carry none of the Deprecation, Sunset and Link headers.
API_VERSIONS = {
    name: {
        "DEPRECATION": env.str(f"API_{name.upper()}_DEPRECATION", default=""),
        "SUNSET": env.str(f"API_{name.upper()}_SUNSET", default=""),
        "DEPRECATION_LINK": env.str(f"API_{name.upper()}_DEPRECATION_LINK", default=""),
    }
    for name in ("v1", "v2")
}

# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "Conduit API",
    "DESCRIPTION": (
        "The RealWorld (Conduit) API: articles, comments, profiles, follows, favorites and tags. "
        "Every path is served under /api/v1/ and, for RealWorld clients, unversioned under /api/. "
        'Authenticate with the header "Authorization: Token <jwt>" (the token comes back from '
        "login and registration)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "SERVERS": [{"url": "/api/v1", "description": "Current version (also served unversioned under /api)"}],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "ENUM_NAME_OVERRIDES": {"NotificationKindEnum": "apps.notifications.models.NotificationKind"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Every write may be throttled: 429 on each (apps.api.schema).
        "apps.api.schema.document_write_throttling",
        # A later version's info, servers and statuses (apps.api.schema); v1's schema is left as it is.
        "apps.api.schema.document_version",
    ],
}

# ------------------------------------------------------------------------------
# CORS: only the configured origins (the SPA's) may call the API from a browser
# https://github.com/adamchainz/django-cors-headers
# ------------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env.list(
    "DJANGO_CORS_ALLOWED_ORIGINS",
    default=["http://127.0.0.1:5173", "http://localhost:5173"] if DEBUG else [],
)
CORS_URLS_REGEX = r"^/api/.*$"
# A browser client may send an Idempotency-Key and read the rate-limit and replay headers.
# v2's conditional writes (If-Match with the ETag read before) and its deprecation headers, for browser clients too.
CORS_ALLOW_HEADERS = [*default_cors_headers, "idempotency-key", "x-request-id", "if-match"]
CORS_EXPOSE_HEADERS = ["Retry-After", "Idempotent-Replayed", "X-Request-ID", "ETag", "Deprecation", "Sunset", "Link"]

# ------------------------------------------------------------------------------
# Security (production defaults; `manage.py check --deploy` is clean with DEBUG off)
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
# ------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Behind a TLS-terminating proxy (nginx, a cloud balancer) that sets X-Forwarded-Proto; only then: with
# no trusted proxy (NUM_PROXIES=0) the header comes from the client, who could claim https for itself.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if REST_FRAMEWORK["NUM_PROXIES"] else None
# The probes and /metrics answer plain HTTP: the balancer and Prometheus call instances directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# HSTS only in production: a browser would otherwise refuse plain http://localhost for a year.
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Nothing of an API URL (slugs, tokens in links) leaks to another site.
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"

# ------------------------------------------------------------------------------
# Logging
# https://docs.djangoproject.com/en/5.2/topics/logging/
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line carries the id of the request it serves, or of the request behind the task it runs.
    "filters": {"request_id": {"()": "apps.core.request_id.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        # One JSON object per line: time, level, logger, message, request_id, plus a record's `extra`
        # fields (the access log's method, route, status, duration_ms).
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("DJANGO_LOG_FORMAT", default="plain" if DEBUG else "json"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# ------------------------------------------------------------------------------
# Metrics: /metrics for Prometheus (apps.observability), internal only
# https://prometheus.github.io/client_python/multiprocess/
# ------------------------------------------------------------------------------
# With it set, a scrape must send "Authorization: Bearer <token>"; unset, only direct calls from
# loopback or private addresses without X-Forwarded-For are served.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Several processes (uvicorn --workers, Celery's pool): a directory they share, emptied before they start.
# prometheus_client reads the variable itself; it is read here to pick the multiprocess collector.
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
