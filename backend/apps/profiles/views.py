from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.serializers import ErrorSerializer
from apps.core.views import ApiView
from apps.profiles.selectors import profile_get
from apps.profiles.serializers import ProfileResponseSerializer
from apps.profiles.services import profile_follow, profile_unfollow
from apps.users.models import User


def profile_response(profile: User) -> Response:
    return Response(ProfileResponseSerializer({"profile": profile}).data)


class ProfileDetailApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="profiles_get",
        summary="A user's profile",
        responses={200: ProfileResponseSerializer, 404: ErrorSerializer},
        tags=["profiles"],
    )
    def get(self, request: Request, username: str) -> Response:
        return profile_response(profile_get(username=username, viewer=request.user))


class ProfileFollowApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="profiles_follow",
        summary="Follow a user",
        request=None,
        responses={200: ProfileResponseSerializer, 401: ErrorSerializer, 404: ErrorSerializer, 422: ErrorSerializer},
        tags=["profiles"],
    )
    def post(self, request: Request, username: str) -> Response:
        return profile_response(profile_follow(follower=request.user, username=username))

    @extend_schema(
        operation_id="profiles_unfollow",
        summary="Unfollow a user",
        responses={200: ProfileResponseSerializer, 401: ErrorSerializer, 404: ErrorSerializer},
        tags=["profiles"],
    )
    def delete(self, request: Request, username: str) -> Response:
        return profile_response(profile_unfollow(follower=request.user, username=username))
