from django.urls import path

from apps.profiles.views import ProfileDetailApi, ProfileFollowApi

app_name = "profiles"

urlpatterns = [
    path("profiles/<str:username>", ProfileDetailApi.as_view(), name="detail"),
    path("profiles/<str:username>/follow", ProfileFollowApi.as_view(), name="follow"),
]
