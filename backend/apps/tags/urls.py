from django.urls import path

from apps.tags.views import TagListApi

app_name = "tags"

urlpatterns = [
    path("tags", TagListApi.as_view(), name="list"),
]
