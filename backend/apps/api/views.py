import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.http_caching import with_representation_etag
from apps.api.problems import error_json_response
from apps.api.versions import api_version

if TYPE_CHECKING:
    # django-stubs' name for settings.AUTH_USER_MODEL, which its plugin resolves: the edge names no app's model.
    from django.contrib.auth.models import _User as SignedInUser
    from rest_framework.views import AsView, GenericView

# RFC 6750's error code, on a read answered anonymously because its token was not valid.
INVALID_TOKEN_CHALLENGE = 'Token error="invalid_token"'


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Django's 404 for URLs no route matches, in the error format of the version the path names."""
    return error_json_response(request.path, 404, {"resource": ["not found"]})


def server_error(request: HttpRequest) -> JsonResponse:
    """Django's 500, in the error format of the version the path names (the error itself is logged by Django)."""
    return error_json_response(request.path, 500, {"server": ["internal error"]})


def signed_in_user(request: Request) -> "SignedInUser":
    """
    The user who signed the request, typed as the user model (not `User | AnonymousUser`): for the
    handlers behind IsAuthenticated, which never see an anonymous request (anywhere else, a 401).
    """
    user = request.user
    if not user.is_authenticated:
        raise NotAuthenticated
    return user


# Base of every API view. (A comment, not a docstring: drf-spectacular would show a docstring as
# the description of every operation.) The URL-path version (`/api/<version>/`) is read by DRF's
# versioning into `request.version`, then dropped from the keyword arguments so that handlers
# take only their own.
#
# Optional sign-in: a read that anonymous readers may make (lists, an article, comments, profiles,
# tags) is answered as to an anonymous reader when its token is invalid, expired or revoked, as
# the RealWorld reference backends do: a client holding a stale token still sees the public pages
# (and clients that sign out on any 401 keep working). The 200 says so in `WWW-Authenticate`.
# Whatever requires sign-in, and every write, still answers 401.
#
# Transactions: with ATOMIC_REQUESTS every request would open one, and so talk to the database even
# when the cache (or a 304) answers it. API views opt out, and run the handler of an unsafe method
# in a transaction of their own, with the same effect: a failed write (its exception leaves the
# block) leaves nothing behind. The transaction opens only once authentication, permissions and
# throttles have passed, so it holds no lock while they run; and a handler may build its response
# after the commit (`respond_after_commit`), through the cached reads, instead of inside it.
class ApiView(APIView):
    @classmethod
    def as_view(cls, **initkwargs: Any) -> "AsView[GenericView]":
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    # False for an unsafe method that writes nothing (signing in): no transaction, so on SQLite it
    # does not queue behind the write lock while it hashes a password.
    writes = True

    invalid_token = False

    # Whether this view's responses (an article, a profile, the user) carry the ETag of their
    # representation in the versions with conditional writes (apps.api.http_caching, `If-Match`).
    representation_etags = False

    def perform_authentication(self, request: Request) -> None:
        try:
            super().perform_authentication(request)
        except AuthenticationFailed:
            # DRF has made the request anonymous already; keep it so only where anonymous may read.
            if request.method not in SAFE_METHODS or not self._anonymous_may(request):
                raise
            self.invalid_token = True

    def _anonymous_may(self, request: Request) -> bool:
        return all(permission.has_permission(request, self) for permission in self.get_permissions())

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        if (
            self.representation_etags
            and isinstance(response, Response)
            and not response.has_header("ETag")
            and api_version(request).conditional_writes
        ):
            response = with_representation_etag(request, response)
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.invalid_token:
            response["WWW-Authenticate"] = INVALID_TOKEN_CHALLENGE
        return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # self.kwargs is the very dict that dispatch() passes on to the handler.
        self.kwargs.pop("version", None)
        method = (request.method or "").lower()
        if request.method not in SAFE_METHODS and self.writes and hasattr(self, method):
            # dispatch() looks the handler up after initial(): it gets the transactional one.
            setattr(self, method, in_write_transaction(getattr(self, method)))


class DeferredResponse(Response):
    """A write's response to build once its transaction has committed (`respond_after_commit`)."""

    def __init__(self, build: Callable[[], Response]) -> None:
        super().__init__()
        self.build = build


def respond_after_commit(build: Callable[[], Response]) -> Response:
    """
    The response of a write, built by `build()` after the write's transaction has committed: its
    reads then go through the cache (which the commit has just invalidated) instead of adding
    statements to the transaction, and fill it for the next readers.
    """
    return DeferredResponse(build)


def in_write_transaction(handler: Callable[..., Response]) -> Callable[..., Response]:
    """`handler` in a transaction; a `respond_after_commit` response is built after the commit."""

    @functools.wraps(handler)
    def run(request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            response = handler(request, *args, **kwargs)
        return response.build() if isinstance(response, DeferredResponse) else response

    return run
