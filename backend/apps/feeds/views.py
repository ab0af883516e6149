from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.http_caching import cached_response
from apps.api.serializers import ErrorSerializer
from apps.api.views import ApiView, signed_in_user
from apps.articles.selectors import article_list_data
from apps.articles.serializers import ArticleListResponseSerializer
from apps.feeds.caching import feed_page
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
        return cached_response(
            request,
            lambda: feed_page(user=signed_in_user(request), page=params.validated_data),
            lambda page: Response(article_list_data(page, viewer=request.user)),
            kept_for_viewer=True,
        )
