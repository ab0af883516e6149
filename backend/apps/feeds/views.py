from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.articles.selectors import article_page
from apps.articles.serializers import ArticleListResponseSerializer
from apps.articles.views import article_list_response
from apps.core.serializers import ErrorSerializer
from apps.core.views import ApiView
from apps.feeds.selectors import feed_list
from apps.feeds.serializers import FeedParamsSerializer


class FeedApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="articles_feed",
        summary="Articles by the authors you follow, newest first",
        parameters=[FeedParamsSerializer],
        responses={200: ArticleListResponseSerializer, 401: ErrorSerializer, 422: ErrorSerializer},
        tags=["articles"],
    )
    def get(self, request: Request) -> Response:
        params = FeedParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        articles = feed_list(user=request.user)
        return article_list_response(*article_page(articles, **params.validated_data))
