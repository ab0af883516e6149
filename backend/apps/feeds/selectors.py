from django.db.models import QuerySet

from apps.articles.models import Article
from apps.articles.selectors import (
    ArticlePage,
    PageParams,
    article_entries,
    article_page,
    article_queryset,
    paginated,
)
from apps.profiles.models import Follow
from apps.users.models import User


def feed_list(*, user: User) -> QuerySet[Article]:
    """Articles by the authors `user` follows, newest first."""
    followed = Follow.objects.filter(follower=user).values("followee_id")
    return article_queryset().filter(author_id__in=followed).order_by("-created_at", "-id")


def feed_data(*, user: User, page: PageParams) -> ArticlePage:
    """
    One page of `user`'s feed, its total and next cursor. Not cached: it is personal, and reads its
    follows fresh.
    """
    articles = feed_list(user=user)
    entries = article_entries(paginated(articles, page))
    return article_page(entries, articles.count(), viewer=user, limit=page["limit"])
