from django.urls import path

from apps.feeds.views import FeedApi

app_name = "feeds"

urlpatterns = [
    path("articles/feed", FeedApi.as_view(), name="feed"),
]
