from typing import Any

from rest_framework import serializers

from apps.api.fields import StrictCharField
from apps.api.serializers import PaginationParamsSerializer, datetime_to_str
from apps.articles.models import BODY_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Article
from apps.profiles.serializers import ProfileSerializer, profile_data
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
    nextCursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next page (infinite scroll); null on the last page."
    )


# ------------------------------------------------------------------------------
# Dict builders for the hot read paths (the serializers above document the same shapes)
# ------------------------------------------------------------------------------
def article_data(article: Article, *, with_body: bool, tag_names: list[str] | None = None) -> dict[str, Any]:
    """
    An article without its viewer-dependent fields (`favorited`, `author.following`); `tag_names`
    when the caller fetched them already (sorted), else from `article.tags`.
    """
    data = {
        "slug": article.slug,
        "title": article.title,
        "description": article.description,
        "tagList": article.tag_names if tag_names is None else tag_names,
        "createdAt": datetime_to_str(article.created_at),
        "updatedAt": datetime_to_str(article.updated_at),
        "favoritesCount": article.favorites_count,
        "author": profile_data(article.author),
    }
    if with_body:
        data["body"] = article.body
    return data
