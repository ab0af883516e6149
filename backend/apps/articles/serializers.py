from typing import Any

from rest_framework import serializers

from apps.api.fields import QueryTextField, StrictCharField
from apps.api.pagination import cursor_decode
from apps.api.serializers import (
    CursorOnlyParamsMixin,
    CursorPageSerializer,
    EntrySerializer,
    PaginationParamsSerializer,
)
from apps.api.versions import shape_of
from apps.articles.models import BODY_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH
from apps.profiles.serializers import ProfileSerializer
from apps.tags.models import TAG_MAX_LENGTH
from apps.tags.serializers import TagListField
from apps.users.serializers import USERNAME_MAX_LENGTH


# ------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------
class ArticleFilterSerializer(PaginationParamsSerializer):
    # An empty value (`?tag=`) filters nothing, as when the parameter is absent. A value longer than any
    # tag or username can match nothing: a 422, rather than a query and a cache entry per made-up value.
    tag = serializers.CharField(
        required=False, allow_blank=True, max_length=TAG_MAX_LENGTH, help_text="Only articles with this tag."
    )
    author = serializers.CharField(
        required=False, allow_blank=True, max_length=USERNAME_MAX_LENGTH, help_text="Only articles by this username."
    )
    favorited = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=USERNAME_MAX_LENGTH,
        help_text="Only articles favorited by this username.",
    )


SEARCH_MAX_LENGTH = 200
FILTERS = ("tag", "author", "favorited")


@shape_of(ArticleFilterSerializer, version="v2")
class ArticleFilterV2Serializer(CursorOnlyParamsMixin, ArticleFilterSerializer):
    """v2: the filters and `limit`, `cursor` only (no `offset`), or a full-text search `q` instead of the filters."""

    offset = None  # type: ignore[assignment]  # removes v1's field
    q = QueryTextField(
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text=(
            f"Full-text search (1 to {SEARCH_MAX_LENGTH} characters): the matching articles, most relevant first, "
            "then newest. Not with `tag`, `author` or `favorited`; no `articlesCount`."
        ),
    )

    def validate_cursor(self, value: str) -> str | None:  # type: ignore[override]
        # A search's cursor is the search's own (apps.articles.caching.article_search_page decodes it).
        return value or None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if "q" in attrs:
            if any(attrs.get(name) for name in FILTERS):
                raise serializers.ValidationError({"q": ["cannot be combined with tag, author or favorited"]})
        elif attrs["cursor"] is not None:
            try:
                attrs["cursor"] = cursor_decode(attrs["cursor"])
            except ValueError:
                raise serializers.ValidationError({"cursor": ["is invalid"]}) from None
        return attrs


class ArticleCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=TITLE_MAX_LENGTH)
    description = StrictCharField(max_length=DESCRIPTION_MAX_LENGTH)
    body = StrictCharField(max_length=BODY_MAX_LENGTH)
    tagList = TagListField(required=False, source="tag_list")


class ArticleCreateBodySerializer(serializers.Serializer):
    article = ArticleCreateSerializer()


class ArticleUpdateSerializer(serializers.Serializer):
    """Every field is optional; only those sent change. `tagList: []` clears the tags."""

    title = StrictCharField(max_length=TITLE_MAX_LENGTH, required=False)
    description = StrictCharField(max_length=DESCRIPTION_MAX_LENGTH, required=False)
    body = StrictCharField(max_length=BODY_MAX_LENGTH, required=False)
    tagList = TagListField(required=False, source="tag_list")


class ArticleUpdateBodySerializer(serializers.Serializer):
    article = ArticleUpdateSerializer()


# ------------------------------------------------------------------------------
# Responses
# ------------------------------------------------------------------------------
class ArticleListItemSerializer(EntrySerializer):
    """An article as lists show it: everything but the body."""

    VIEWER_FIELDS = frozenset({"favorited"})  # and its author's `following`
    OVERLAID_FIELDS = frozenset({"favoritesCount", "author"})  # per id, from their own entries

    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    tagList = serializers.ListField(child=serializers.CharField(), source="tag_names")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")
    favorited = serializers.BooleanField()
    favoritesCount = serializers.IntegerField(source="favorites_count")
    author = ProfileSerializer()


class ArticleSerializer(ArticleListItemSerializer):
    """A whole article, body included."""

    body = serializers.CharField()


class ArticleResponseSerializer(serializers.Serializer):
    article = ArticleSerializer()


class ArticleListResponseSerializer(serializers.Serializer):
    articles = ArticleListItemSerializer(many=True)
    articlesCount = serializers.IntegerField(help_text="Matches before limit and offset.")
    nextCursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next page (infinite scroll); null on the last page."
    )


@shape_of(ArticleListResponseSerializer, version="v2")
class ArticleListV2ResponseSerializer(CursorPageSerializer):
    class Meta:
        ref_name = "ArticleListResponse"  # v1's name: openapi.v2.yaml has v2's shape under it

    articles = ArticleListItemSerializer(many=True)
    articlesCount = serializers.IntegerField(
        required=False,
        help_text="All the matches, only where it is exact and cheap: the lists by at most one filter, the feed.",
    )
