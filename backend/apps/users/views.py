from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from apps.api.http_caching import if_match_holds
from apps.api.serializers import ErrorSerializer
from apps.api.throttling import LOGIN_THROTTLES, SignupIpThrottle, login_attempt_finished
from apps.api.versions import api_version
from apps.api.views import ApiView, signed_in_user
from apps.core.exceptions import ConflictError, PreconditionFailedError
from apps.idempotency.decorators import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.idempotency.services import FIELD as IDEMPOTENCY_FIELD
from apps.users.models import User
from apps.users.selectors import user_account_stamp, user_get_by_username, user_get_unchanged
from apps.users.serializers import (
    UserLoginBodySerializer,
    UserRegistrationBodySerializer,
    UserResponseSerializer,
    UserUpdateBodySerializer,
)
from apps.users.services import (
    user_issue_token,
    user_lock,
    user_login,
    user_register,
    user_revoke_tokens,
    user_update,
)


def user_response(user: User, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(UserResponseSerializer({"user": user}).data, status=status_code)


def signup_record(body: dict[str, Any]) -> dict[str, Any]:
    """
    A sign-up response as the idempotency table keeps it: no JWT at rest, and bound to the account it
    created (its id, and a stamp of its credentials), never to whoever holds its e-mail later.
    """
    user = user_get_by_username(username=body["user"]["username"])  # created in this very transaction
    return {"user": {**body["user"], "token": None}, "account": {"id": user.pk, "stamp": user_account_stamp(user=user)}}


def signup_replay(record: dict[str, Any]) -> dict[str, Any]:
    """
    A replayed sign-up response, with a token issued now for the account the first request created,
    only while that account is as it was: a replay never signs in anyone the first request did not.
    """
    account = record.get("account") or {}
    user = user_get_unchanged(user_id=account.get("id"), stamp=account.get("stamp"))
    if user is None:
        raise ConflictError(IDEMPOTENCY_FIELD, "belongs to an account that has changed since; sign in instead")
    return {"user": {**record["user"], "token": user_issue_token(user=user)}}


class UserRegistrationApi(ApiView):
    representation_etags = True
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [SignupIpThrottle]

    @extend_schema(
        operation_id="users_register",
        summary="Register a new user",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=UserRegistrationBodySerializer,
        responses={201: UserResponseSerializer, 409: ErrorSerializer, 422: ErrorSerializer, 429: ErrorSerializer},
        tags=["users"],
        auth=[],
    )
    @idempotent(store=signup_record, replay=signup_replay)
    def post(self, request: Request) -> Response:
        data = UserRegistrationBodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data["user"])
        return user_response(user, status_code=status.HTTP_201_CREATED)


class UserLoginApi(ApiView):
    representation_etags = True
    permission_classes = [AllowAny]
    authentication_classes = []
    # Signing in reads the account and checks the password; its rate-limit hits go to the security store.
    writes = False
    # Brute force: failed attempts count per address, per (e-mail, address) pair, and per account
    # from unknown clients; each attempt takes its hits first and is settled below (apps.api.throttling).
    throttle_classes = LOGIN_THROTTLES

    @extend_schema(
        operation_id="users_login",
        summary="Sign in with e-mail and password",
        request=UserLoginBodySerializer,
        responses={200: UserResponseSerializer, 401: ErrorSerializer, 422: ErrorSerializer, 429: ErrorSerializer},
        tags=["users"],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = UserLoginBodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return user_response(user_login(**data.validated_data["user"]))

    def get_throttles(self) -> list[BaseThrottle]:
        # The same instances for the check and the settlement: they remember the hits they took.
        if self.throttles is None:
            self.throttles = super().get_throttles()
        return self.throttles

    throttles: list[BaseThrottle] | None = None

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        login_attempt_finished(
            request,
            self.get_throttles(),
            failed=response.status_code == status.HTTP_401_UNAUTHORIZED,
            succeeded=response.status_code == status.HTTP_200_OK,
        )
        return super().finalize_response(request, response, *args, **kwargs)


class CurrentUserApi(ApiView):
    representation_etags = True
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="users_current",
        summary="The signed-in user",
        responses={200: UserResponseSerializer, 401: ErrorSerializer},
        tags=["users"],
    )
    def get(self, request: Request) -> Response:
        return user_response(signed_in_user(request))

    @extend_schema(
        operation_id="users_update",
        summary="Update the signed-in user",
        request=UserUpdateBodySerializer,
        responses={200: UserResponseSerializer, 401: ErrorSerializer, 409: ErrorSerializer, 422: ErrorSerializer},
        tags=["users"],
    )
    def put(self, request: Request) -> Response:
        data = UserUpdateBodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token_id = str(request.auth.get(api_settings.JTI_CLAIM, "")) if isinstance(request.auth, Token) else ""
        user = signed_in_user(request)
        if api_version(request).conditional_writes and request.headers.get("If-Match"):
            # Race-free: the row is locked until this transaction ends and compared as it is now; the
            # update then starts from that locked row (apps.articles.views.ArticleDetailApi.put likewise).
            user = user_lock(user_id=user.pk)
            if not if_match_holds(request, lambda: user_response(user)):
                raise PreconditionFailedError("If-Match")
        user = user_update(user=user, changes=data.validated_data["user"], token_id=token_id)
        return user_response(user)


class UserRevokeTokensApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="users_revoke_tokens",
        summary="Sign out everywhere",
        description=(
            "Revokes every token issued to the signed-in user so far, this request's included: every "
            "client (a lost phone, a stolen token) must sign in again. Changing the password does the same "
            "for every client but the one that changed it, which keeps its token."
        ),
        request=None,
        responses={204: None, 401: ErrorSerializer},
        tags=["users"],
    )
    def post(self, request: Request) -> Response:
        user_revoke_tokens(user=signed_in_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
