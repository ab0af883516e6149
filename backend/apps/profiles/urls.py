from django.urls import path

from apps.profiles.views import ProfileDetailApi, ProfileFollowApi

app_name = "profiles"

urlpatterns = [
    path("profiles/<segment:username>", ProfileDetailApi.as_view(), name="detail"),
    path("profiles/<segment:username>/follow", ProfileFollowApi.as_view(), name="follow"),
]
