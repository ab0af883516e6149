from django.db.models import BooleanField, Exists, OuterRef, QuerySet, Value
from django.db.models.expressions import Expression

from apps.articles.models import Article, Favorite
from apps.core.exceptions import NotFoundError, PermissionDeniedError
from apps.core.pagination import paginate
from apps.profiles.selectors import Viewer, author_following_attach, following_expression
from apps.users.models import User


def favorited_expression(*, viewer: Viewer) -> Expression:
    """An SQL boolean: has `viewer` favorited the article of the outer query? Constant false if anonymous."""
    if not viewer.is_authenticated:
        return Value(False, output_field=BooleanField())
    return Exists(Favorite.objects.filter(user_id=viewer.pk, article_id=OuterRef("pk")))


def article_queryset(*, viewer: Viewer) -> QuerySet[Article]:
    """
    Articles with everything their representation needs, in a constant number of queries:
    the author joined, `favorited` and `author_following` as subqueries, the tags in one prefetch.
    """
    return (
        Article.objects.select_related("author")
        .prefetch_related("tags")
        .annotate(
            favorited=favorited_expression(viewer=viewer),
            author_following=following_expression(viewer=viewer, user_ref="author_id"),
        )
    )


def article_list(
    *, viewer: Viewer, tag: str | None = None, author: str | None = None, favorited: str | None = None
) -> QuerySet[Article]:
    """Articles newest first, filtered by tag name, author username and favoriting username."""
    articles = article_queryset(viewer=viewer)
    if tag:
        articles = articles.filter(tags__name=tag)
    if author:
        articles = articles.filter(author__username=author)
    if favorited:
        articles = articles.filter(favorites__user__username=favorited)
    return articles.order_by("-created_at", "-id")


def article_page(articles: QuerySet[Article], *, limit: int, offset: int) -> tuple[list[Article], int]:
    """One page of `articles` (from `article_queryset`), ready to serialize, and the total count."""
    page, count = paginate(articles, limit=limit, offset=offset)
    return author_following_attach(page), count


def article_get(*, slug: str, viewer: Viewer) -> Article:
    """The article at `slug` with its viewer-dependent fields; NotFoundError otherwise."""
    article = article_queryset(viewer=viewer).filter(slug=slug).first()
    if article is None:
        raise NotFoundError("article")
    return author_following_attach([article])[0]


def article_get_plain(*, slug: str) -> Article:
    """The bare article at `slug`, for operations on what hangs off it; NotFoundError otherwise."""
    article = Article.objects.filter(slug=slug).first()
    if article is None:
        raise NotFoundError("article")
    return article


def article_get_for_author(*, slug: str, user: User) -> Article:
    """The article at `slug` if `user` wrote it: NotFoundError, then PermissionDeniedError otherwise."""
    article = article_get_plain(slug=slug)
    if article.author_id != user.pk:
        raise PermissionDeniedError("article")
    return article
