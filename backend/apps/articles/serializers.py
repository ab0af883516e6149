from rest_framework import serializers

from apps.core.serializers import PaginationParamsSerializer
from apps.profiles.serializers import ProfileSerializer
from apps.tags.serializers import TagListField


# ------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------
class ArticleFilterSerializer(PaginationParamsSerializer):
    tag = serializers.CharField(required=False, help_text="Only articles with this tag.")
    author = serializers.CharField(required=False, help_text="Only articles by this username.")
    favorited = serializers.CharField(required=False, help_text="Only articles favorited by this username.")


class ArticleCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255)
    description = serializers.CharField()
    body = serializers.CharField()
    tagList = TagListField(required=False, source="tag_list")


class ArticleCreateBodySerializer(serializers.Serializer):
    article = ArticleCreateSerializer()


class ArticleUpdateSerializer(serializers.Serializer):
    """Every field is optional; only those sent change. `tagList: []` clears the tags."""

    title = serializers.CharField(max_length=255, required=False)
    description = serializers.CharField(required=False)
    body = serializers.CharField(required=False)
    tagList = TagListField(required=False, source="tag_list")


class ArticleUpdateBodySerializer(serializers.Serializer):
    article = ArticleUpdateSerializer()


# ------------------------------------------------------------------------------
# Responses
# ------------------------------------------------------------------------------
class ArticleListItemSerializer(serializers.Serializer):
    """An article as lists show it: everything but the body."""

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
