from rest_framework import serializers

from apps.api.fields import StrictCharField
from apps.api.serializers import EntrySerializer, PaginationParamsSerializer
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
