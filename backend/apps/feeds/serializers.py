from apps.api.serializers import CursorOnlyParamsMixin, PaginationParamsSerializer
from apps.api.versions import shape_of


class FeedParamsSerializer(PaginationParamsSerializer):
    """Pagination of the personal feed."""


@shape_of(FeedParamsSerializer, version="v2")
class FeedParamsV2Serializer(CursorOnlyParamsMixin, FeedParamsSerializer):
    """Pagination of the personal feed: `limit` and `cursor` (no `offset`)."""

    offset = None  # type: ignore[assignment]  # removes v1's field
