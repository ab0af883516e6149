from django.urls import path

from apps.comments.views import CommentDetailApi, CommentListApi

app_name = "comments"

urlpatterns = [
    path("articles/<segment:slug>/comments", CommentListApi.as_view(), name="list"),
    path("articles/<segment:slug>/comments/<id:comment_id>", CommentDetailApi.as_view(), name="detail"),
]
