"""
Rate limits (DRF throttling), counted in the security store (apps.caching.security_state) so that
every instance shares the counts, with atomic counters: a burst of concurrent requests cannot
overtake a limit, and cache pressure on the data cache cannot evict one.

| scope | counts | key |
| --- | --- | --- |
| `login_failures_pair` | failed logins | the e-mail tried and the client's address |
| `login_failures_ip` | failed logins | the client's address |
| `login_failures_account` | failed logins from clients the account does not know | the e-mail tried |
| `signups_ip` | sign-up attempts | the client's address |
| `writes_user` | POST/PUT/PATCH/DELETE | the signed-in user |
| `new_searches_client` | v2 searches of texts not searched lately (read from the database) | user, else address |

The login policy (docs/security.md) slows a guesser without locking the owner out: a guesser's
failures count against their own (e-mail, address) pair and address, so the owner, from another
address, is not refused; many addresses guessing one account (a botnet) meet the per-account
limit, which a client that has signed in to that account before (a trusted address, remembered for
LOGIN_TRUSTED_CLIENT_DAYS) is not subject to. Each login attempt takes its hits *before* the
password is checked and gives them back unless it failed (`refund`), so concurrent guesses are
counted as they start, not as they end.

Rates come from settings.THROTTLE_RATES (env `THROTTLE_RATE_*`), `<count>/<period>` with a period
such as `s`, `m`, `15m`, `h`, `d`, read when a throttle is built, so tests can change them with
override_settings. The client's address honours X-Forwarded-For only behind
REST_FRAMEWORK["NUM_PROXIES"] trusted proxies (env NUM_PROXIES, default 0: never).

Throttling fails open: with the security store down a request is let through rather than answered
500 (its breaker skips the store for a few seconds after a store error, never after anything else).
"""

import math
import re
from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework.exceptions import Throttled
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.caching.security_state import (
    counter_hit,
    counter_refund,
    flag_get,
    flag_set,
    throttle_key,
    trusted_client_key,
)

if TYPE_CHECKING:  # rest_framework.views loads this module (DEFAULT_THROTTLE_CLASSES): no import cycle
    from rest_framework.views import APIView

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*$")


def parse_rate(rate: str) -> tuple[int, int]:
    """`"10/15m"` -> (10 requests, 900 seconds); DRF's `"20/h"` and `"300/min"` forms work too."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"not a rate: {rate!r} (expected e.g. 20/h or 10/15m)")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _PERIODS[unit]


class RateThrottle(BaseThrottle):
    """A fixed-window limit of `rate` hits per key (None: not counted), shared through the security store."""

    scope: str

    def __init__(self) -> None:
        rate = settings.THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = parse_rate(rate) if rate else (0, 0)
        self.key: str | None = None
        self.seconds_left: float | None = None

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Request, view: "APIView") -> bool:
        if not self.duration:
            return True
        # Outside any try: a malformed body while finding the key is the client's 4xx, not a cache error.
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        hit = counter_hit(key, window=self.duration)
        if hit is None:
            return True  # the store is down: fail open
        self.key = key
        count, self.seconds_left = hit
        return count <= self.num_requests

    def refund(self) -> None:
        """Gives back this request's hit: it turned out not to be what the limit counts."""
        if self.key is not None:
            counter_refund(self.key)
            self.key = None

    def wait(self) -> float | None:
        return None if self.seconds_left is None else float(max(1, math.ceil(self.seconds_left)))

    def key_for(self, ident: str | None) -> str | None:
        return None if ident is None else throttle_key(self.scope, ident)


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


class LoginFailureIpThrottle(RateThrottle):
    """Failed logins per client address: one address guessing many accounts' passwords."""

    scope = "login_failures_ip"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        return self.key_for(self.get_ident(request))


class LoginFailurePairThrottle(RateThrottle):
    """Failed logins per e-mail and address: one address guessing one account's password."""

    scope = "login_failures_pair"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        email = login_email(request)
        return None if email is None else self.key_for(f"{email} {self.get_ident(request)}")


class LoginFailureAccountThrottle(RateThrottle):
    """
    Failed logins per e-mail from the clients it does not know: many addresses guessing one
    account's password. A trusted client (`login_trust_client`) is not subject to it.
    """

    scope = "login_failures_account"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        email = login_email(request)
        if email is None or flag_get(trusted_client_key(email, self.get_ident(request))):
            return None
        return self.key_for(email)


class NewSearchThrottle(RateThrottle):
    """
    Searches that reach the database, per signed-in user or else per client address: a text nobody
    searched lately is read from the database (apps.articles.caching.article_search_page), at up to the
    search's statement timeout each, so distinct texts are what a client could flood it with. Repeated
    searches are served from the cache and not counted. Checked by the view when the search needs the
    database (`enforce`), not for every request.
    """

    scope = "new_searches_client"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if request.user.is_authenticated:
            return self.key_for(f"user {request.user.pk}")
        return self.key_for(f"address {self.get_ident(request)}")


def enforce(throttle_class: type[RateThrottle], request: Request, view: "APIView") -> None:
    """Counts this request against a throttle that the view checks itself; Throttled (429) over the limit."""
    throttle = throttle_class()
    if not throttle.allow_request(request, view):
        raise Throttled(wait=throttle.wait())


LOGIN_THROTTLES: list[type[RateThrottle]] = [
    LoginFailureIpThrottle,
    LoginFailurePairThrottle,
    LoginFailureAccountThrottle,
]


def login_email(request: Request) -> str | None:
    """The e-mail a login request tries, normalized as accounts compare them; None when it has none."""
    body: Any = request.data  # a malformed body raises ParseError: a 422 for the client
    user = body.get("user") if isinstance(body, dict) else None
    email = user.get("email") if isinstance(user, dict) else None
    if not isinstance(email, str) or not email.strip():
        return None
    return email.strip().lower()


def login_attempt_finished(request: Request, throttles: list[BaseThrottle], *, failed: bool, succeeded: bool) -> None:
    """
    Settles a login attempt's hits: a failed attempt keeps them; any other outcome (success, invalid
    body, throttled) gives them back. A success also makes the client's address trusted by the account.
    """
    if not failed:
        for throttle in throttles:
            if isinstance(throttle, RateThrottle):
                throttle.refund()
    if succeeded:
        email = login_email(request)
        if email is not None:
            ident = BaseThrottle().get_ident(request)
            flag_set(trusted_client_key(email, ident), ttl=settings.LOGIN_TRUSTED_CLIENT_DAYS * 86400)
