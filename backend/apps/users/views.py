from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.serializers import ErrorSerializer
from apps.core.throttling import LoginFailureAccountThrottle, LoginFailureIpThrottle, SignupIpThrottle
from apps.core.views import ApiView
from apps.idempotency.decorators import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.users.models import User
from apps.users.selectors import user_list_by_email
from apps.users.serializers import (
    UserLoginBodySerializer,
    UserRegistrationBodySerializer,
    UserResponseSerializer,
    UserUpdateBodySerializer,
)
from apps.users.services import user_issue_token, user_login, user_register, user_update


def user_response(user: User, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(UserResponseSerializer({"user": user}).data, status=status_code)


def user_response_without_token(body: dict[str, Any]) -> dict[str, Any]:
    """A sign-up response as the idempotency table keeps it: no JWT at rest."""
    return {"user": {**body["user"], "token": None}}


def user_response_with_fresh_token(body: dict[str, Any]) -> dict[str, Any]:
    """A replayed sign-up response, with a token issued now for the user it created."""
    user = user_list_by_email(email=body["user"]["email"]).get()
    return {"user": {**body["user"], "token": user_issue_token(user=user)}}


class UserRegistrationApi(ApiView):
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
    @idempotent(store=user_response_without_token, replay=user_response_with_fresh_token)
    def post(self, request: Request) -> Response:
        data = UserRegistrationBodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data["user"])
        return user_response(user, status_code=status.HTTP_201_CREATED)


class UserLoginApi(ApiView):
    permission_classes = [AllowAny]
    authentication_classes = []
    # Brute force: only failed attempts count, per address and per account (recorded below).
    throttle_classes = [LoginFailureIpThrottle, LoginFailureAccountThrottle]

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

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        if response.status_code == status.HTTP_401_UNAUTHORIZED:
            for throttle in self.get_throttles():
                throttle.record_failure(request, self)
        return super().finalize_response(request, response, *args, **kwargs)


class CurrentUserApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="users_current",
        summary="The signed-in user",
        responses={200: UserResponseSerializer, 401: ErrorSerializer},
        tags=["users"],
    )
    def get(self, request: Request) -> Response:
        return user_response(request.user)

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
        return user_response(user_update(user=request.user, data=data.validated_data["user"]))
