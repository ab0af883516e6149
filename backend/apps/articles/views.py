from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.http_caching import cached_response, if_match_holds
from apps.api.pagination import cursor_list_body
from apps.api.serializers import ErrorSerializer
from apps.api.throttling import NewSearchThrottle, enforce
from apps.api.versions import api_version
from apps.api.views import ApiView, respond_after_commit, signed_in_user
from apps.articles.caching import article_detail, article_list_page, article_search_page
from apps.articles.selectors import (
    ArticleListQuery,
    ArticlePage,
    article_get_for_author,
    article_list_data,
    article_lock,
    articles_for_viewer,
)
from apps.articles.serializers import (
    FILTERS,
    ArticleCreateBodySerializer,
    ArticleFilterSerializer,
    ArticleListResponseSerializer,
    ArticleResponseSerializer,
    ArticleUpdateBodySerializer,
)
from apps.articles.services import (
    article_create,
    article_delete,
    article_favorite,
    article_unfavorite,
    article_update,
)
from apps.core.exceptions import PreconditionFailedError
from apps.core.types import Entry, EntryPage, Viewer
from apps.idempotency.decorators import IDEMPOTENCY_KEY_PARAMETER, idempotent


def article_response(entry: Entry, *, viewer: Viewer, status_code: int = status.HTTP_200_OK) -> Response:
    return Response({"article": articles_for_viewer([entry], viewer=viewer)[0]}, status=status_code)


def article_write_response(*, slug: str, viewer: Viewer, status_code: int = status.HTTP_200_OK) -> Response:
    """The article as the write left it, read once the write has committed (through the cache, just invalidated)."""
    return respond_after_commit(
        lambda: article_response(article_detail(slug=slug), viewer=viewer, status_code=status_code)
    )


def article_list_response(page: ArticlePage, *, viewer: Viewer) -> Response:
    return Response(article_list_data(page, viewer=viewer))


def article_page_response(request: Request, page: EntryPage, *, count: int | None) -> Response:
    """A page of articles as v2 lists it (apps.api.pagination.cursor_list_body): `count` where it is cheap."""
    articles = articles_for_viewer(page.entries, viewer=request.user)
    return Response(
        cursor_list_body(request, name="articles", items=articles, next_cursor=page.next_cursor, count=count)
    )


class ArticleListApi(ApiView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="articles_list",
        summary="Articles, newest first",
        parameters=[ArticleFilterSerializer],
        responses={200: ArticleListResponseSerializer, 422: ErrorSerializer},
        tags=["articles"],
    )
    def get(self, request: Request) -> Response:
        version = api_version(request)
        filters = version.serializer(ArticleFilterSerializer)(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        if "q" in params:  # v2's search
            limit, cursor = params["limit"], params["cursor"]
            return cached_response(
                request,
                lambda: article_search_page(
                    q=params["q"],
                    limit=limit,
                    cursor=cursor,
                    before_database=lambda: enforce(NewSearchThrottle, request, self),
                ),
                lambda page: article_page_response(request, page, count=None),
            )
        query = ArticleListQuery(
            tag=params.get("tag") or None,
            author=params.get("author") or None,
            favorited=params.get("favorited") or None,
            limit=params["limit"],
            offset=params.get("offset", 0),
            cursor=params["cursor"],
        )
        if version.cursor_only:
            # The count is a counter row's for the whole list or one filter; combined filters count rows.
            cheap = sum(1 for name in FILTERS if params.get(name)) <= 1
            return cached_response(
                request,
                lambda: article_list_page(query=query),
                lambda page: article_page_response(request, page, count=page.count if cheap else None),
            )
        return cached_response(
            request,
            lambda: article_list_page(query=query),
            lambda page: article_list_response(page, viewer=request.user),
        )

    @extend_schema(
        operation_id="articles_create",
        summary="Publish an article",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=ArticleCreateBodySerializer,
        responses={
            201: ArticleResponseSerializer,
            401: ErrorSerializer,
            409: ErrorSerializer,
            422: ErrorSerializer,
            429: ErrorSerializer,
        },
        tags=["articles"],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = ArticleCreateBodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        article = article_create(author=signed_in_user(request), **data.validated_data["article"])
        return article_write_response(slug=article.slug, viewer=request.user, status_code=status.HTTP_201_CREATED)


class ArticleDetailApi(ApiView):
    representation_etags = True
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="articles_get",
        summary="One article",
        responses={200: ArticleResponseSerializer, 404: ErrorSerializer},
        tags=["articles"],
    )
    def get(self, request: Request, slug: str) -> Response:
        return cached_response(
            request,
            lambda: article_detail(slug=slug),
            lambda entry: article_response(entry, viewer=request.user),
            representation_etag=api_version(request).conditional_writes,
        )

    @extend_schema(
        operation_id="articles_update",
        summary="Update your article",
        request=ArticleUpdateBodySerializer,
        responses={
            200: ArticleResponseSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            422: ErrorSerializer,
        },
        tags=["articles"],
    )
    def put(self, request: Request, slug: str) -> Response:
        article = article_get_for_author(slug=slug, user=signed_in_user(request))
        data = ArticleUpdateBodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if api_version(request).conditional_writes and request.headers.get("If-Match"):
            # Race-free: the row is locked until this transaction ends, and the ETag is recomputed from the
            # database under the lock (cached reads are bypassed inside a transaction), so no other write of
            # the article can land between the comparison and ours. Re-read after the lock: ours must
            # start from the committed row, not from the one read before it.
            article_lock(article_id=article.pk)
            current = lambda: article_response(article_detail(slug=slug), viewer=request.user)  # noqa: E731
            if not if_match_holds(request, current):
                raise PreconditionFailedError("If-Match")
            article = article_get_for_author(slug=slug, user=signed_in_user(request))
        article_update(article=article, changes=data.validated_data["article"])
        return article_write_response(slug=article.slug, viewer=request.user)

    @extend_schema(
        operation_id="articles_delete",
        summary="Delete your article",
        responses={204: None, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        tags=["articles"],
    )
    def delete(self, request: Request, slug: str) -> Response:
        article_delete(article=article_get_for_author(slug=slug, user=signed_in_user(request)))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ArticleFavoriteApi(ApiView):
    representation_etags = True
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="articles_favorite",
        summary="Favorite an article",
        request=None,
        responses={200: ArticleResponseSerializer, 401: ErrorSerializer, 404: ErrorSerializer},
        tags=["articles"],
    )
    def post(self, request: Request, slug: str) -> Response:
        article_favorite(user=signed_in_user(request), slug=slug)
        return article_write_response(slug=slug, viewer=request.user)

    @extend_schema(
        operation_id="articles_unfavorite",
        summary="Unfavorite an article",
        responses={200: ArticleResponseSerializer, 401: ErrorSerializer, 404: ErrorSerializer},
        tags=["articles"],
    )
    def delete(self, request: Request, slug: str) -> Response:
        article_unfavorite(user=signed_in_user(request), slug=slug)
        return article_write_response(slug=slug, viewer=request.user)
