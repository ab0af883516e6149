from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.http_caching import cached_response
from apps.api.pagination import cursor_list_body
from apps.api.serializers import ErrorSerializer
from apps.api.versions import api_version
from apps.api.views import ApiView, signed_in_user
from apps.articles.selectors import article_list_data, articles_for_viewer
from apps.articles.serializers import ArticleListResponseSerializer
from apps.core.types import PageParams
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
        version = api_version(request)
        params = version.serializer(FeedParamsSerializer)(data=request.query_params)
        params.is_valid(raise_exception=True)
        page_params: PageParams = {"offset": 0, **params.validated_data}  # type: ignore[typeddict-item]
        if version.cursor_only:
            render = lambda page: Response(  # noqa: E731
                cursor_list_body(
                    request,
                    name="articles",
                    items=articles_for_viewer(page.entries, viewer=request.user),
                    next_cursor=page.next_cursor,
                    count=page.count,  # the feed's count is a counter's (apps.feeds)
                )
            )
        else:
            render = lambda page: Response(article_list_data(page, viewer=request.user))  # noqa: E731
        return cached_response(
            request,
            lambda: feed_page(user=signed_in_user(request), page=page_params),
            render,
            kept_for_viewer=True,
        )
