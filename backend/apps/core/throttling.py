"""
Rate limits (DRF throttling), counted in the default cache (Redis in production) so that every
instance shares the counts.

| scope | counts | key |
| --- | --- | --- |
| `login_failures_account` | failed logins | the e-mail tried |
| `login_failures_ip` | failed logins | the client's address |
| `signups_ip` | sign-up attempts | the client's address |
| `writes_user` | POST/PUT/PATCH/DELETE | the signed-in user |

Rates come from settings.THROTTLE_RATES (env `THROTTLE_RATE_*`), read when a throttle is built, so
tests can change them with override_settings. The client's address honours X-Forwarded-For only
behind REST_FRAMEWORK["NUM_PROXIES"] trusted proxies (env NUM_PROXIES, default 0: never).

Throttling fails open: with the cache down a request is let through rather than answered 500 (the
breaker of apps.core.caching skips the cache for a few seconds after an error).
"""

import math
from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from apps.core.caching import cache_available, throttle_cache_key, trip_cache_breaker

if TYPE_CHECKING:  # rest_framework.views loads this module (DEFAULT_THROTTLE_CLASSES): no import cycle
    from rest_framework.views import APIView


class RateThrottle(SimpleRateThrottle):
    """A DRF rate throttle with its rate from settings.THROTTLE_RATES, our key format, and fail-open."""

    scope: str
    num_requests: int
    duration: int

    def get_rate(self) -> str | None:
        return settings.THROTTLE_RATES[self.scope]

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if self.rate is None or not cache_available():
            return True
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # the cache failed: let the request through rather than fail it
            trip_cache_breaker(exc)
            return True

    def wait(self) -> float | None:
        wait = super().wait()
        return None if wait is None else float(math.ceil(wait))

    def key_for(self, ident: str | None) -> str | None:
        return None if ident is None else throttle_cache_key(self.scope, ident)


class FailureThrottle(RateThrottle):
    """
    Counts failures only: `allow_request` refuses once the window holds `num_requests` failures, and
    the view calls `record_failure` for each failed attempt (see UserLoginApi.finalize_response).
    """

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if self.rate is None or not cache_available():
            return True
        try:
            self.key = self.get_cache_key(request, view)
            if self.key is None:
                return True
            self.now = self.timer()
            self.history = self._recent(self.cache.get(self.key, []))
        except Exception as exc:
            trip_cache_breaker(exc)
            return True
        return len(self.history) < self.num_requests

    def record_failure(self, request: Request, view: "APIView") -> None:
        if self.rate is None or not cache_available():
            return
        try:
            key = self.get_cache_key(request, view)
            if key is None:
                return
            self.now = self.timer()
            history = [self.now, *self._recent(self.cache.get(key, []))][: self.num_requests]
            self.cache.set(key, history, self.duration)
        except Exception as exc:
            trip_cache_breaker(exc)

    def _recent(self, history: list[float]) -> list[float]:
        return [moment for moment in history if moment > self.now - self.duration]


# ------------------------------------------------------------------------------
# The throttles
# ------------------------------------------------------------------------------
class UserWriteThrottle(RateThrottle):
    """Writes per signed-in user (the default throttle of every API view; reads are not counted)."""

    scope = "writes_user"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if request.method in SAFE_METHODS or not request.user.is_authenticated:
            return None
        return self.key_for(str(request.user.pk))


class SignupIpThrottle(RateThrottle):
    """Sign-up attempts per client address."""

    scope = "signups_ip"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        return self.key_for(self.get_ident(request))


class LoginFailureIpThrottle(FailureThrottle):
    """Failed logins per client address: one address guessing many accounts' passwords."""

    scope = "login_failures_ip"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        return self.key_for(self.get_ident(request))


class LoginFailureAccountThrottle(FailureThrottle):
    """Failed logins per e-mail: many addresses guessing one account's password."""

    scope = "login_failures_account"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        body: Any = request.data
        user = body.get("user") if isinstance(body, dict) else None
        email = user.get("email") if isinstance(user, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None
        return self.key_for(email.strip().lower())
