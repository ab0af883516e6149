from apps.api.serializers import PaginationParamsSerializer


class FeedParamsSerializer(PaginationParamsSerializer):
    """Pagination of the personal feed."""
