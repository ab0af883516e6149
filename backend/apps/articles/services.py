import secrets
from collections import Counter
from typing import TypedDict

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify

from apps.articles.caching import (
    article_deleted,
    article_edited,
    article_favorites_changed,
    article_favorites_recounted,
    article_published,
)
from apps.articles.counts import article_counts_add, article_counts_favoriters_remove, article_deltas
from apps.articles.models import Article, ArticleCount, Favorite
from apps.articles.selectors import article_favorites_counted
from apps.notifications.hooks import notify_article_favorited, notify_article_published
from apps.tags.caching import tags_changed
from apps.tags.models import Tag
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
    tags = tag_get_or_create_many(names=tag_list) if tag_list else []
    if tags:
        article.tags.set(tags)
    article_counts_add(article_deltas(author_id=author.pk, tag_ids=[tag.pk for tag in tags], sign=1))
    notify_article_published(article_id=article.pk)
    article_published(slug=article.slug, author=author.username, tags=[tag.name for tag in tags])
    tags_changed()
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
    retagged: set[str] = set()
    if "tag_list" in changes:
        retagged = _retag(article, tag_get_or_create_many(names=changes["tag_list"]))
        if retagged:
            tags_changed()
    article_edited(article_id=article.pk, retagged=retagged)
    return article


def _retag(article: Article, tags: list[Tag]) -> set[str]:
    """Sets the article's tags and moves the tags' counters; returns the names of the tags added or removed."""
    before = {tag.pk: tag.name for tag in article.tags.all()}
    after = {tag.pk: tag.name for tag in tags}
    if before.keys() == after.keys():
        return set()
    article.tags.set(tags)
    deltas: Counter[tuple[str, int]] = Counter()
    for tag_id in before.keys() - after.keys():
        deltas[(ArticleCount.Kind.TAG, tag_id)] -= 1
    for tag_id in after.keys() - before.keys():
        deltas[(ArticleCount.Kind.TAG, tag_id)] += 1
    article_counts_add(deltas)
    return {before[pk] for pk in before.keys() - after.keys()} | {after[pk] for pk in after.keys() - before.keys()}


@transaction.atomic
def article_delete(*, article: Article) -> None:
    tag_ids = list(article.tags.values_list("pk", flat=True))
    article_counts_favoriters_remove(article_id=article.pk)
    article_counts_add(article_deltas(author_id=article.author_id, tag_ids=tag_ids, sign=-1))
    article_deleted(article_id=article.pk, slug=article.slug)
    if tag_ids:
        tags_changed()
    article.delete()


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
    article_counts_add(Counter({(ArticleCount.Kind.FAVORITED, user.pk): 1}))
    article_favorites_changed(article_id=article.pk, user_id=user.pk, username=user.username)
    notify_article_favorited(article_id=article.pk, author_id=article.author_id, user_id=user.pk)


@transaction.atomic
def article_unfavorite(*, user: User, article: Article) -> None:
    """`user` stops favoriting `article` (idempotent); `favorites_count` moves in the same transaction."""
    deleted, _ = Favorite.objects.filter(user=user, article=article).delete()
    if deleted:
        Article.objects.filter(pk=article.pk).update(favorites_count=F("favorites_count") - deleted)
        article_counts_add(Counter({(ArticleCount.Kind.FAVORITED, user.pk): -deleted}))
        article_favorites_changed(article_id=article.pk, user_id=user.pk, username=user.username)


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
    article_favorites_recounted(article_id=article_id)
