import secrets
from typing import TypedDict

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify

from apps.articles.caching import invalidate_article, invalidate_article_lists
from apps.articles.models import Article, Favorite
from apps.articles.selectors import article_favorites_counted
from apps.notifications.hooks import notify_article_favorited, notify_article_published
from apps.profiles.caching import invalidate_viewer
from apps.tags.caching import invalidate_tags
from apps.tags.services import tag_get_or_create_many
from apps.users.models import User

SLUG_BASE_MAX_LENGTH = 200
SLUG_ATTEMPTS = 8
# Paths under /articles/ that are routes of their own: an article with such a slug would be unreachable.
RESERVED_SLUGS = frozenset({"feed"})


@transaction.atomic
def article_create(
    *, author: User, title: str, description: str, body: str, tag_list: list[str] | None = None
) -> Article:
    """Publishes an article under a new unique slug; identical titles get distinct slugs."""
    article = Article(author=author, title=title, description=description, body=body)
    _save_with_unique_slug(article)
    if tag_list:
        article.tags.set(tag_get_or_create_many(names=tag_list))
    transaction.on_commit(invalidate_article_lists)
    transaction.on_commit(invalidate_tags)
    notify_article_published(article_id=article.pk)
    return article


class ArticleChanges(TypedDict, total=False):
    """What an article update may change: only the fields present do."""

    title: str
    description: str
    body: str
    tag_list: list[str]


@transaction.atomic
def article_update(*, article: Article, changes: ArticleChanges) -> Article:
    """
    Changes only the fields present in `changes` (title, description, body, tag_list).

    A missing `tag_list` keeps the tags, an empty one clears them. The slug never changes, so
    links to the article keep working after a retitle.
    """
    if "title" in changes:
        article.title = changes["title"]
    if "description" in changes:
        article.description = changes["description"]
    if "body" in changes:
        article.body = changes["body"]
    article.save()
    if "tag_list" in changes:
        article.tags.set(tag_get_or_create_many(names=changes["tag_list"]))
        transaction.on_commit(invalidate_tags)
    transaction.on_commit(lambda: invalidate_article(article.slug))
    return article


@transaction.atomic
def article_delete(*, article: Article) -> None:
    slug = article.slug
    article.delete()
    transaction.on_commit(lambda: invalidate_article(slug))
    transaction.on_commit(invalidate_tags)


@transaction.atomic
def article_favorite(*, user: User, article: Article) -> None:
    """`user` favorites `article` (idempotent); `favorites_count` moves in the same transaction."""
    try:
        with transaction.atomic():
            Favorite.objects.create(user=user, article=article)
    except IntegrityError:
        # Favorited already, by a concurrent request of the same user: nothing to do. (get_or_create
        # answered 500 when another concurrent request unfavorited in between its INSERT and its GET.)
        return
    Article.objects.filter(pk=article.pk).update(favorites_count=F("favorites_count") + 1)
    _invalidate_favorite(user=user, article=article)
    notify_article_favorited(article_id=article.pk, author_id=article.author_id, user_id=user.pk)


@transaction.atomic
def article_unfavorite(*, user: User, article: Article) -> None:
    """`user` stops favoriting `article` (idempotent); `favorites_count` moves in the same transaction."""
    deleted, _ = Favorite.objects.filter(user=user, article=article).delete()
    if deleted:
        Article.objects.filter(pk=article.pk).update(favorites_count=F("favorites_count") - deleted)
        _invalidate_favorite(user=user, article=article)


def _invalidate_favorite(*, user: User, article: Article) -> None:
    # The article's count changed for everyone; the user's `favorited` flags changed for them.
    transaction.on_commit(lambda: invalidate_article(article.slug))
    transaction.on_commit(lambda: invalidate_viewer(user.pk))


def _save_with_unique_slug(article: Article) -> None:
    """Saves `article` under the plain slug of its title, or with a random suffix when that is taken."""
    base = slugify(article.title)[:SLUG_BASE_MAX_LENGTH].strip("-") or "article"
    candidates = [base] + [f"{base}-{secrets.token_hex(4)}" for _ in range(SLUG_ATTEMPTS)]
    for slug in candidates:
        if slug in RESERVED_SLUGS or Article.objects.filter(slug=slug).exists():
            continue
        article.slug = slug
        try:
            with transaction.atomic():
                article.save()
            return
        except IntegrityError:
            continue  # taken by a concurrent request between the check and the insert
    raise RuntimeError(f"no free slug for {base!r} after {len(candidates)} attempts")


@transaction.atomic
def article_favorites_count_recount(*, article_id: int) -> None:
    """Sets the article's favorites_count from its Favorite rows, in one UPDATE (safe against concurrent favorites)."""
    Article.objects.filter(pk=article_id).update(favorites_count=article_favorites_counted())
    slug = Article.objects.filter(pk=article_id).values_list("slug", flat=True).first()
    if slug is not None:
        transaction.on_commit(lambda: invalidate_article(slug))
