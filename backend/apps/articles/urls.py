from django.urls import path

from apps.articles.views import ArticleDetailApi, ArticleFavoriteApi, ArticleListApi

app_name = "articles"

# The feed (apps.feeds) is routed before these, so "feed" is never read as a slug.
urlpatterns = [
    path("articles", ArticleListApi.as_view(), name="list"),
    path("articles/<segment:slug>", ArticleDetailApi.as_view(), name="detail"),
    path("articles/<segment:slug>/favorite", ArticleFavoriteApi.as_view(), name="favorite"),
]
