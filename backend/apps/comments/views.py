from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.http_caching import cached_response
from apps.api.pagination import cursor_list_body
from apps.api.serializers import ErrorSerializer
from apps.api.versions import api_version
from apps.api.views import ApiView, signed_in_user
from apps.articles.selectors import article_get_plain
from apps.comments.caching import comment_list_page
from apps.comments.selectors import comment_entries, comment_get_for_author
from apps.comments.serializers import (
    CommentCreateBodySerializer,
    CommentListParamsSerializer,
    CommentListResponseSerializer,
    CommentResponseSerializer,
)
from apps.comments.services import comment_create, comment_delete
from apps.core.types import EntryPage
from apps.idempotency.decorators import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.profiles.selectors import with_author_following
from apps.profiles.serializers import ProfileSerializer


class CommentListApi(ApiView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="comments_list",
        summary="An article's comments, newest first",
        parameters=[CommentListParamsSerializer],
        responses={200: CommentListResponseSerializer, 404: ErrorSerializer, 422: ErrorSerializer},
        tags=["comments"],
    )
    def get(self, request: Request, slug: str) -> Response:
        version = api_version(request)
        params = version.serializer(CommentListParamsSerializer)(data=request.query_params)
        params.is_valid(raise_exception=True)
        limit, cursor = params.validated_data["limit"], params.validated_data["cursor"]

        def page_response(page: EntryPage) -> Response:
            comments = with_author_following(page.entries, viewer=request.user)
            if version.cursor_only:
                return Response(
                    cursor_list_body(request, name="comments", items=comments, next_cursor=page.next_cursor)
                )
            return Response({"comments": comments, "nextCursor": page.next_cursor})

        return cached_response(request, lambda: comment_list_page(slug=slug, limit=limit, cursor=cursor), page_response)

    @extend_schema(
        operation_id="comments_create",
        summary="Comment on an article",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=CommentCreateBodySerializer,
        responses={
            201: CommentResponseSerializer,
            401: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            422: ErrorSerializer,
            429: ErrorSerializer,
        },
        tags=["comments"],
    )
    @idempotent
    def post(self, request: Request, slug: str) -> Response:
        article = article_get_plain(slug=slug)
        data = CommentCreateBodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        author = signed_in_user(request)
        comment = comment_create(article=article, author=author, **data.validated_data["comment"])
        # All of it is at hand: the new comment, and its author is the viewer (who follows no one's self).
        [entry] = comment_entries([comment])
        comment_data = {**entry["data"], "author": {**ProfileSerializer.entry_data(author), "following": False}}
        return Response({"comment": comment_data}, status=status.HTTP_201_CREATED)


class CommentDetailApi(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="comments_delete",
        summary="Delete your comment",
        responses={204: None, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        tags=["comments"],
    )
    def delete(self, request: Request, slug: str, comment_id: int) -> Response:
        article = article_get_plain(slug=slug)
        comment = comment_get_for_author(article=article, comment_id=comment_id, user=signed_in_user(request))
        comment_delete(comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)
