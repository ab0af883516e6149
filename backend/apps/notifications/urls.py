from django.urls import path

from apps.notifications.views import (
    NotificationListApi,
    NotificationPreferencesApi,
    NotificationReadAllApi,
    NotificationReadApi,
    NotificationUnreadCountApi,
)

app_name = "notifications"

urlpatterns = [
    path("notifications", NotificationListApi.as_view(), name="list"),
    path("notifications/unread-count", NotificationUnreadCountApi.as_view(), name="unread-count"),
    path("notifications/read", NotificationReadAllApi.as_view(), name="read-all"),
    path("notifications/preferences", NotificationPreferencesApi.as_view(), name="preferences"),
    path("notifications/<id:notification_id>/read", NotificationReadApi.as_view(), name="read"),
]
