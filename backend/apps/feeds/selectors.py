from django.db import connections
from django.db.models import QuerySet, Sum
from django.db.models.expressions import RawSQL

from apps.api.pagination import page_slice
from apps.articles.caching import article_entries
from apps.articles.models import Article, ArticleCount
from apps.articles.selectors import ArticlePage, article_page, article_rows
from apps.caching.reads import read_uncached
from apps.core.types import PageParams
from apps.profiles.models import Follow
from apps.users.models import User


def feed_list(*, user: User) -> QuerySet[Article]:
    """Articles by the authors `user` follows, newest first."""
    followed = Follow.objects.filter(follower=user).values("followee_id")
    return Article.objects.filter(author_id__in=followed).order_by("-created_at", "-id")


def feed_count(*, user: User) -> int:
    """How many articles the authors `user` follows wrote: the sum of their counter rows, no scan of articles."""
    followed = Follow.objects.filter(follower=user).values("followee_id")
    rows = ArticleCount.objects.filter(kind=ArticleCount.Kind.AUTHOR, subject_id__in=followed)
    return rows.aggregate(total=Sum("total"))["total"] or 0


def feed_page(*, user: User, page: PageParams) -> ArticlePage:
    """
    One page of `user`'s feed as shared entries, its total and next cursor. Which articles it shows
    is read from the database (it is personal, and reads its follows fresh); the articles themselves
    come from their cached entries.
    """
    read_uncached()
    candidates = feed_candidates(feed_list(user=user), user=user, page=page)
    rows = article_rows(page_slice(candidates, cursor=page["cursor"], limit=page["limit"], offset=page["offset"]))
    return article_page(article_entries(rows[: page["limit"]]), rows, feed_count(user=user), limit=page["limit"])


def feed_candidates(articles: QuerySet[Article], *, user: User, page: PageParams) -> QuerySet[Article]:
    """
    On PostgreSQL, the articles that can be on the page, the same rows as `articles` would give:
    the newest `offset + limit + 1` after the cursor among each followed author's newest as many
    (one index-only range per author, LATERAL). Filtering `articles` instead makes the database
    read and sort every article of every followed author, bodies included: 20,000 rows for 20
    prolific authors of the million-article set, 181 ms instead of 0.4 ms.
    """
    if connections[articles.db].vendor != "postgresql":
        return articles
    cursor = page["cursor"]
    after = "AND (a.created_at, a.id) < (%s, %s)" if cursor else ""
    newest = f"""
        SELECT a.id FROM {Follow._meta.db_table} f
        CROSS JOIN LATERAL (
            SELECT a.id, a.created_at FROM {Article._meta.db_table} a
            WHERE a.author_id = f.followee_id {after}
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT %s
        ) a
        WHERE f.follower_id = %s
        ORDER BY a.created_at DESC, a.id DESC
        LIMIT %s
    """  # only table names are formatted in; the values are parameters
    depth = page["offset"] + page["limit"] + 1
    params = [*((cursor.created_at, cursor.id) if cursor else ()), depth, user.pk, depth]
    return Article.objects.using(articles.db).filter(id__in=RawSQL(newest, params)).order_by("-created_at", "-id")
