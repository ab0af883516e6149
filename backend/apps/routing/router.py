"""
Read replicas: which database serves each query (see docs/replicas.md).

Installed by config.settings.base only when DATABASE_REPLICA_URL names replicas (the aliases
`replica1`..`replicaN` in `settings.DATABASE_REPLICAS`): `ReplicaRouter` in DATABASE_ROUTERS and
`ReplicaMiddleware` at the end of MIDDLEWARE. The rules:

- Writes, migrations and `select_for_update()` go to the primary (`default`).
- Reads go to a healthy replica, picked at random and kept for the rest of the request, unless
  one of these sends them to the primary:
  - the request is not a safe method (POST, PUT, PATCH, DELETE...): all of it;
  - the client wrote within DATABASE_READ_YOUR_WRITES_SECONDS (read-your-writes, below);
  - the request has written already (the router was asked where to write);
  - the read is inside a transaction of the code's own (an `atomic` block other than the request's
    ATOMIC_REQUESTS one; outside requests, any `atomic` block): services open one to write, and
    what they read must be the primary's current state;
  - the read follows an object loaded from the primary (the `instance` hint);
  - the code runs inside `use_primary()`, or the request was pinned by `pin_primary()`;
  - the request carries a session cookie (the admin): read-your-writes only knows JWT clients.
- Read-your-writes across requests, with no state in the process (app instances are stateless):
  a successful unsafe request by a JWT client sets a marker in the security store for the window,
  and a token issued less than the window ago counts as a fresh write (sign-up, login). The
  client is the `user_id` claim of its token, decoded without a database query.
- A replica that fails its health check (a TCP connect, re-checked every
  DATABASE_REPLICA_HEALTH_SECONDS) is skipped. A safe request whose replica query still fails with
  OperationalError is answered by running the view once more on the primary: the retry lives in
  `ReplicaMiddleware.process_exception` and `__call__`.
"""

import logging
import random
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, OperationalError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from apps.caching.security_state import flag_get, flag_set, recent_write_key

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# A TCP connect to a replica on the same network answers in well under a millisecond; one that
# does not answer in this time is treated as down (the probe runs on the request path).
PROBE_TIMEOUT_SECONDS = 0.5


# ------------------------------------------------------------------------------
# Per-request routing state
# ------------------------------------------------------------------------------
@dataclass
class RequestRouting:
    """What the router knows about the request being served (set by ReplicaMiddleware)."""

    safe: bool
    primary: bool  # every query of the request goes to the primary
    base_depth: int  # atomic blocks open on the primary when the view starts (ATOMIC_REQUESTS's included)
    user_id: object = None  # from the JWT, None for anonymous clients
    replica: str | None = None  # the replica that serves this request's reads
    used: set[str] = field(default_factory=set)  # every replica that served a read
    replica_reads: int = 0  # how many reads went to a replica
    retry: bool = False  # a replica failed: run the view again on the primary
    retried: bool = False


_request_routing: ContextVar[RequestRouting | None] = ContextVar("request_routing", default=None)
_forced_primary: ContextVar[bool] = ContextVar("forced_primary", default=False)


def replicas_enabled() -> bool:
    return bool(settings.DATABASE_REPLICAS)


@contextmanager
def use_primary() -> Iterator[None]:
    """Inside this block every query goes to the primary (e.g. a task loading a row just committed)."""
    token = _forced_primary.set(True)
    try:
        yield
    finally:
        _forced_primary.reset(token)


def replica_reads() -> int:
    """How many reads of the current request went to a replica so far (0 outside a request, or without replicas)."""
    routing = _request_routing.get()
    return routing.replica_reads if routing is not None else 0


def pin_primary() -> None:
    """Sends the rest of the current request to the primary (no-op outside a request)."""
    routing = _request_routing.get()
    if routing is not None:
        routing.primary = True


# ------------------------------------------------------------------------------
# Replica health: a per-process verdict, re-checked every DATABASE_REPLICA_HEALTH_SECONDS
# ------------------------------------------------------------------------------
# Reachability is a property of this process's network view, not client state, so it is kept in
# process memory: alias -> (healthy, time.monotonic() of the verdict).
_health: dict[str, tuple[bool, float]] = {}


def replica_is_healthy(alias: str) -> bool:
    verdict = _health.get(alias)
    now = time.monotonic()
    if verdict is not None and now - verdict[1] < settings.DATABASE_REPLICA_HEALTH_SECONDS:
        return verdict[0]
    healthy = _probe(alias)
    if healthy != (verdict[0] if verdict else True):
        logger.warning("read replica %s is %s", alias, "back" if healthy else "unreachable: reads go elsewhere")
    _health[alias] = (healthy, now)
    return healthy


def mark_replica_down(alias: str) -> None:
    """Skips `alias` until its next health check."""
    _health[alias] = (False, time.monotonic())


def reset_replica_health() -> None:
    """Forgets every verdict, so each replica is probed on its next use."""
    _health.clear()


def _probe(alias: str) -> bool:
    """Does the replica's port accept a TCP connection? (PostgreSQL logs nothing for this.)"""
    database = connections.settings[alias]
    host = database.get("HOST") or ""
    if not host or host.startswith("/"):
        return True  # a Unix socket: no cheap probe, a failing query still falls back
    try:
        socket.create_connection((host, int(database.get("PORT") or 5432)), timeout=PROBE_TIMEOUT_SECONDS).close()
    except OSError:
        return False
    return True


# ------------------------------------------------------------------------------
# The router
# ------------------------------------------------------------------------------
def _reads_need_primary(instance: Model | None) -> bool:
    if _forced_primary.get():
        return True
    routing = _request_routing.get()
    if routing is not None and routing.primary:
        return True
    if instance is not None and instance._state.db == DEFAULT_DB_ALIAS:
        return True
    base_depth = routing.base_depth if routing is not None else 0
    return len(connections[DEFAULT_DB_ALIAS].atomic_blocks) > base_depth


def _pick_replica(routing: RequestRouting | None) -> str | None:
    if routing is not None and routing.replica is not None and replica_is_healthy(routing.replica):
        return routing.replica
    healthy = [alias for alias in settings.DATABASE_REPLICAS if replica_is_healthy(alias)]
    alias = random.choice(healthy) if healthy else None
    if routing is not None:
        routing.replica = alias
    return alias


class ReplicaRouter:
    """Reads to a healthy replica, writes and migrations to the primary (rules in the module docstring)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if not settings.DATABASE_REPLICAS or _reads_need_primary(hints.get("instance")):
            return DEFAULT_DB_ALIAS
        routing = _request_routing.get()
        alias = _pick_replica(routing)
        if alias is None:
            return DEFAULT_DB_ALIAS
        if routing is not None:
            routing.used.add(alias)
            routing.replica_reads += 1
        return alias

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        # Whatever the request reads after writing must see the write.
        pin_primary()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # The replicas hold the primary's rows: objects from any of them may be related.
        databases = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        return True if {obj1._state.db, obj2._state.db} <= databases else None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        # Replicas replay the primary's schema changes; nothing is migrated on them directly.
        return False if db in settings.DATABASE_REPLICAS else None


# ------------------------------------------------------------------------------
# The middleware
# ------------------------------------------------------------------------------
class ReplicaMiddleware:
    """
    Sets the request's routing state (a contextvar the router reads), remembers a client's
    successful writes in the shared cache, and retries a safe request once on the primary when a
    replica fails under it. Last in MIDDLEWARE, so that a retry runs nothing but the view again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        routing = request_routing(request)
        token = _request_routing.set(routing)
        try:
            response = self.get_response(request)
            if routing.retry:  # set by process_exception: run the view again, on the primary only
                routing.retry = False
                routing.base_depth = len(connections[DEFAULT_DB_ALIAS].atomic_blocks)
                response = self.get_response(request)
        finally:
            _request_routing.reset(token)
        if not routing.safe and routing.user_id is not None and response.status_code < 400:
            _remember_write(routing.user_id)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # Django wraps the view in a transaction next (ATOMIC_REQUESTS) unless it opted out, as
        # ApiView does: that transaction is the request's, not one of the code's own.
        routing = _request_routing.get()
        default = connections[DEFAULT_DB_ALIAS]
        if routing is not None and default.settings_dict["ATOMIC_REQUESTS"]:
            routing.base_depth += DEFAULT_DB_ALIAS not in getattr(view, "_non_atomic_requests", set())
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        routing = _request_routing.get()
        if routing is None or not routing.safe or routing.retried or not isinstance(exception, OperationalError):
            return None
        failed = [alias for alias in routing.used if connections[alias].errors_occurred]
        if not failed:
            return None  # the primary failed: nothing to fall back to
        logger.warning("read replica %s failed (%s): retrying on the primary", ", ".join(sorted(failed)), exception)
        for alias in failed:
            mark_replica_down(alias)
            with suppress(DatabaseError):
                connections[alias].close()  # the next use reconnects
        routing.primary = routing.retry = routing.retried = True
        # A placeholder that tells Django the exception is handled; __call__ replaces it.
        return HttpResponse(status=503)


def request_routing(request: HttpRequest) -> RequestRouting:
    """The routing state of a request that is starting (see the module docstring for the rules)."""
    safe = request.method in SAFE_METHODS
    user_id, issued_at = _token_identity(request)
    primary = (
        not safe
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or (user_id is not None and _wrote_recently(user_id, issued_at))
    )
    base_depth = len(connections[DEFAULT_DB_ALIAS].atomic_blocks)
    return RequestRouting(safe=safe, primary=primary, base_depth=base_depth, user_id=user_id)


def _token_identity(request: HttpRequest) -> tuple[object, float | None]:
    """The user id and issue time (`iat`) of the request's valid JWT, decoded with no database query."""
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework_simplejwt.authentication import JWTAuthentication
    from rest_framework_simplejwt.settings import api_settings

    authentication = JWTAuthentication()
    header = authentication.get_header(request)  # type: ignore[arg-type]
    if not header:
        return None, None
    try:
        raw_token = authentication.get_raw_token(header)
        token = authentication.get_validated_token(raw_token) if raw_token else None
    except AuthenticationFailed:
        return None, None  # DRF will answer 401; where it reads from does not matter
    if token is None:
        return None, None
    return token.get(api_settings.USER_ID_CLAIM), token.get("iat")


def _wrote_recently(user_id: object, issued_at: float | None) -> bool:
    window = settings.DATABASE_READ_YOUR_WRITES_SECONDS
    if window <= 0:
        return False
    if issued_at is not None and time.time() - issued_at < window:
        return True  # a token this fresh comes from a sign-up, a login or a user update
    marked = flag_get(recent_write_key(user_id))
    # The security store is down (None): be safe, read from the primary.
    return marked is None or marked


def _remember_write(user_id: object) -> None:
    if settings.DATABASE_READ_YOUR_WRITES_SECONDS <= 0:
        return
    # With the store down the write itself still succeeded: answer it, at the cost of a possibly
    # stale next read (security_state logs the failure and trips its breaker).
    flag_set(recent_write_key(user_id), ttl=settings.DATABASE_READ_YOUR_WRITES_SECONDS)
