from typing import Any

from django.db.models import QuerySet

from apps.articles.models import Article
from apps.articles.selectors import article_entries, article_overlay, article_queryset
from apps.profiles.models import Follow
from apps.users.models import User


def feed_list(*, user: User) -> QuerySet[Article]:
    """Articles by the authors `user` follows, newest first."""
    followed = Follow.objects.filter(follower=user).values("followee_id")
    return article_queryset().filter(author_id__in=followed).order_by("-created_at", "-id")


def feed_data(*, user: User, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """
    One page of `user`'s feed and its total. Not cached: it is personal, and reads its follows fresh.
    """
    articles = feed_list(user=user)
    return article_overlay(article_entries(articles[offset : offset + limit]), viewer=user), articles.count()
