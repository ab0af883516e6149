from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.http_caching import cached_response
from apps.api.views import ApiView
from apps.tags.caching import tag_list
from apps.tags.serializers import TagListResponseSerializer


class TagListApi(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="tags_list",
        summary="Tags in use, most popular first",
        responses={200: TagListResponseSerializer},
        tags=["tags"],
    )
    def get(self, request: Request) -> Response:
        return cached_response(request, tag_list, lambda tags: Response({"tags": tags}))
