from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.http_caching import cached_response
from apps.api.serializers import ErrorSerializer
from apps.api.versions import api_version
from apps.api.views import ApiView, respond_after_commit, signed_in_user
from apps.core.types import Entry, Viewer
from apps.profiles.caching import profile_detail
from apps.profiles.selectors import profile_for_viewer
from apps.profiles.serializers import ProfileResponseSerializer
from apps.profiles.services import profile_follow, profile_unfollow


def profile_response(entry: Entry, *, viewer: Viewer) -> Response:
    return Response({"profile": profile_for_viewer(entry, viewer=viewer)})


class ProfileDetailApi(ApiView):
    representation_etags = True
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="profiles_get",
        summary="A user's profile",
        responses={200: ProfileResponseSerializer, 404: ErrorSerializer},
        tags=["profiles"],
    )
    def get(self, request: Request, username: str) -> Response:
        return cached_response(
            request,
            lambda: profile_detail(username=username),
            lambda entry: profile_response(entry, viewer=request.user),
            representation_etag=api_version(request).conditional_writes,
        )


class ProfileFollowApi(ApiView):
    representation_etags = True
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="profiles_follow",
        summary="Follow a user",
        request=None,
        responses={200: ProfileResponseSerializer, 401: ErrorSerializer, 404: ErrorSerializer, 422: ErrorSerializer},
        tags=["profiles"],
    )
    def post(self, request: Request, username: str) -> Response:
        profile_follow(follower=signed_in_user(request), username=username)
        return respond_after_commit(lambda: profile_response(profile_detail(username=username), viewer=request.user))

    @extend_schema(
        operation_id="profiles_unfollow",
        summary="Unfollow a user",
        responses={200: ProfileResponseSerializer, 401: ErrorSerializer, 404: ErrorSerializer},
        tags=["profiles"],
    )
    def delete(self, request: Request, username: str) -> Response:
        profile_unfollow(follower=signed_in_user(request), username=username)
        return respond_after_commit(lambda: profile_response(profile_detail(username=username), viewer=request.user))
