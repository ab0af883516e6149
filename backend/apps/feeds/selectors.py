from django.db.models import QuerySet

from apps.articles.models import Article
from apps.articles.selectors import article_queryset
from apps.profiles.models import Follow
from apps.users.models import User


def feed_list(*, user: User) -> QuerySet[Article]:
    """Articles by the authors `user` follows, newest first."""
    followed = Follow.objects.filter(follower=user).values("followee_id")
    return article_queryset(viewer=user).filter(author_id__in=followed).order_by("-created_at", "-id")
