import hashlib

from django.utils.http import parse_etags
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.pagination import cursor_list_body, page_of
from apps.api.serializers import ErrorSerializer
from apps.api.versions import api_version
from apps.api.views import ApiView, signed_in_user
from apps.notifications.selectors import notification_get, notification_list, notification_unread_count
from apps.notifications.serializers import (
    NotificationListParamsSerializer,
    NotificationListResponseSerializer,
    NotificationPreferencesBodySerializer,
    NotificationPreferencesResponseSerializer,
    NotificationResponseSerializer,
    NotificationSerializer,
    NotificationUnreadCountResponseSerializer,
    notification_cursor,
)
from apps.notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_update,
)


def unread_count_response(request: Request) -> Response:
    return Response({"unreadCount": notification_unread_count(user=signed_in_user(request))})


def unread_count_conditional(request: Request) -> Response:
    """
    The unread count with a strong ETag of the user and the count: a browser polling it revalidates
    with `If-None-Match` and gets a 304 without a body while nothing changed (the SPA's bell).
    """
    count = notification_unread_count(user=signed_in_user(request))
    digest = hashlib.sha256(f"{request.user.pk}|{count}".encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = Response({"unreadCount": count})
    response["ETag"] = etag
    return response


class NotificationListApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_list",
        summary="Your notifications, newest first (cursor pagination)",
        parameters=[NotificationListParamsSerializer],
        responses={200: NotificationListResponseSerializer, 401: ErrorSerializer, 422: ErrorSerializer},
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        version = api_version(request)
        params = version.serializer(NotificationListParamsSerializer)(data=request.query_params)
        params.is_valid(raise_exception=True)
        limit, cursor = params.validated_data["limit"], params.validated_data["cursor"]
        notifications = notification_list(user=signed_in_user(request), before_id=cursor, limit=limit)
        page, next_cursor = page_of(notifications, limit, cursor_of=notification_cursor)
        items = list(NotificationSerializer(page, many=True).data)  # a list (many=True); the stubs say a dict
        if version.cursor_only:
            return Response(cursor_list_body(request, name="notifications", items=items, next_cursor=next_cursor))
        return Response({"notifications": items, "nextCursor": next_cursor})


class NotificationUnreadCountApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_unread_count",
        summary="How many of your notifications are unread",
        responses={200: NotificationUnreadCountResponseSerializer, 401: ErrorSerializer},
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        return unread_count_conditional(request)


class NotificationReadApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_read",
        summary="Mark one of your notifications as read",
        request=None,
        responses={200: NotificationResponseSerializer, 401: ErrorSerializer, 404: ErrorSerializer},
        tags=["notifications"],
    )
    def post(self, request: Request, notification_id: int) -> Response:
        notification = notification_get(user=signed_in_user(request), notification_id=notification_id)
        notification = notification_mark_read(notification=notification)
        return Response({"notification": NotificationSerializer(notification).data})


class NotificationReadAllApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_read_all",
        summary="Mark all your notifications as read",
        request=None,
        responses={200: NotificationUnreadCountResponseSerializer, 401: ErrorSerializer},
        tags=["notifications"],
    )
    def post(self, request: Request) -> Response:
        notification_mark_all_read(user=signed_in_user(request))
        return unread_count_response(request)


class NotificationPreferencesApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_preferences_get",
        summary="Your notification preferences",
        responses={200: NotificationPreferencesResponseSerializer, 401: ErrorSerializer},
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        return Response(NotificationPreferencesResponseSerializer({"preferences": request.user}).data)

    @extend_schema(
        operation_id="notifications_preferences_update",
        summary="Change your notification preferences",
        request=NotificationPreferencesBodySerializer,
        responses={200: NotificationPreferencesResponseSerializer, 401: ErrorSerializer, 422: ErrorSerializer},
        tags=["notifications"],
    )
    def put(self, request: Request) -> Response:
        data = NotificationPreferencesBodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = notification_preferences_update(user=signed_in_user(request), **data.validated_data["preferences"])
        return Response(NotificationPreferencesResponseSerializer({"preferences": user}).data)
