import secrets
from collections import Counter
from typing import Any, TypedDict

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from apps.articles.caching import (
    article_deleted,
    article_edited,
    article_favorites_changed,
    article_favorites_recounted,
    article_published,
    article_searches_published,
)
from apps.articles.counts import article_counts_add, article_counts_favoriters_remove, article_deltas
from apps.articles.models import Article, ArticleCount, Favorite
from apps.articles.selectors import article_favorites_counted
from apps.core.db import insert_unless_conflict
from apps.core.exceptions import NotFoundError
from apps.feeds.hooks import timelines_article_published
from apps.notifications.hooks import notify_article_favorited, notify_article_published
from apps.tags.caching import tags_changed
from apps.tags.models import Tag
from apps.tags.services import tag_get_or_create_many
from apps.users.models import User

SLUG_BASE_MAX_LENGTH = 200
SLUG_ATTEMPTS = 8
# Paths under /articles/ that are routes of their own: an article with such a slug would be unreachable.
RESERVED_SLUGS = frozenset({"feed"})


# The services run inside the request's transaction (ApiView) or open their own: `savepoint=False`
# spares each call a SAVEPOINT and RELEASE; whatever fails rolls the whole transaction back.
@transaction.atomic(savepoint=False)
def article_create(
    *, author: User, title: str, description: str, body: str, tag_list: list[str] | None = None
) -> Article:
    """Publishes an article under a new unique slug; identical titles get distinct slugs."""
    article = Article(author=author, title=title, description=description, body=body)
    _insert_with_unique_slug(article)
    tags = tag_get_or_create_many(names=tag_list) if tag_list else []
    if tags:  # a new article links no tag yet: insert the links (tags.set() would read them first)
        links = [Article.tags.through(article_id=article.pk, tag_id=tag.pk) for tag in tags]
        Article.tags.through.objects.bulk_create(links)
    notify_article_published(article_id=article.pk)
    timelines_article_published(article_id=article.pk, author_id=author.pk, created_at=article.created_at)
    # Last: the count of all articles is shared by every publish, and locked until the commit.
    article_counts_add(article_deltas(author_id=author.pk, tag_ids=[tag.pk for tag in tags], sign=1))
    article_published(slug=article.slug, author=author.username, author_id=author.pk, tags=[tag.name for tag in tags])
    article_searches_published(article_id=article.pk)
    tags_changed()
    return article


class ArticleChanges(TypedDict, total=False):
    """What an article update may change: only the fields present do."""

    title: str
    description: str
    body: str
    tag_list: list[str]


@transaction.atomic(savepoint=False)
def article_update(*, article: Article, changes: ArticleChanges) -> Article:
    """
    Changes only the fields present in `changes` (title, description, body, tag_list).

    A missing `tag_list` keeps the tags, an empty one clears them. The slug never changes, so
    links to the article keep working after a retitle.
    """
    # What the search reads of it (its search document is computed from them).
    text_changed = (
        changes.get("title", article.title) != article.title
        or changes.get("description", article.description) != article.description
        or changes.get("body", article.body) != article.body
    )
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
    article_edited(article_id=article.pk, retagged=retagged, text_changed=text_changed)
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


@transaction.atomic(savepoint=False)
def article_delete(*, article: Article) -> None:
    tag_ids = list(article.tags.values_list("pk", flat=True))
    article_counts_favoriters_remove(article_id=article.pk)
    article_counts_add(article_deltas(author_id=article.author_id, tag_ids=tag_ids, sign=-1))
    article_deleted(article_id=article.pk, slug=article.slug, author_id=article.author_id)
    if tag_ids:
        tags_changed()
    article.delete()


@transaction.atomic(savepoint=False)
def article_favorite(*, user: User, slug: str) -> None:
    """
    `user` favorites the article at `slug` (idempotent: favorited already, nothing moves);
    NotFoundError if there is none. The favorite, the article's `favorites_count`, the user's list
    counter and the author's notification are written in the same transaction, in four statements.
    """
    article_id = _favorite_insert(user_id=user.pk, slug=slug)
    if article_id is None:
        _ensure_article_exists(slug=slug)
        return  # favorited already (maybe by a concurrent request of the same user)
    author_id = _favorites_count_move(article_id=article_id, by=1)
    article_counts_add(Counter({(ArticleCount.Kind.FAVORITED, user.pk): 1}))
    article_favorites_changed(article_id=article_id, user_id=user.pk, username=user.username)
    notify_article_favorited(article_id=article_id, author_id=author_id, user_id=user.pk)


@transaction.atomic(savepoint=False)
def article_unfavorite(*, user: User, slug: str) -> None:
    """`user` stops favoriting the article at `slug` (idempotent); NotFoundError if there is none."""
    article_id = _favorite_delete(user_id=user.pk, slug=slug)
    if article_id is None:
        _ensure_article_exists(slug=slug)
        return
    _favorites_count_move(article_id=article_id, by=-1)
    article_counts_add(Counter({(ArticleCount.Kind.FAVORITED, user.pk): -1}))
    article_favorites_changed(article_id=article_id, user_id=user.pk, username=user.username)


# The favorite's rows in one statement each, by slug (no lookup of the article first); plain SQL
# that PostgreSQL and SQLite (3.35+) both run: INSERT ... SELECT ... ON CONFLICT, RETURNING.
def _favorite_insert(*, user_id: int, slug: str) -> int | None:
    """Inserts the favorite of the article at `slug`; its id, or None (no such article, or favorited already)."""
    created_at = Favorite._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    return _returning(
        f"INSERT INTO {_table(Favorite)} (user_id, article_id, created_at)"
        f" SELECT %s, id, %s FROM {_table(Article)} WHERE slug = %s"
        " ON CONFLICT (user_id, article_id) DO NOTHING RETURNING article_id",
        [user_id, created_at, slug],
    )


def _favorite_delete(*, user_id: int, slug: str) -> int | None:
    """Deletes the favorite of the article at `slug`; its id, or None (no such article, or not favorited)."""
    return _returning(
        f"DELETE FROM {_table(Favorite)} WHERE user_id = %s"
        f" AND article_id IN (SELECT id FROM {_table(Article)} WHERE slug = %s) RETURNING article_id",
        [user_id, slug],
    )


def _favorites_count_move(*, article_id: int, by: int) -> int:
    """Moves the article's favorites_count; returns its author's id."""
    author_id = _returning(
        f"UPDATE {_table(Article)} SET favorites_count = favorites_count + %s WHERE id = %s RETURNING author_id",
        [by, article_id],
    )
    assert author_id is not None  # its favorite row, locked by this transaction, holds it
    return author_id


def _returning(sql: str, params: list[Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else row[0]


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _ensure_article_exists(*, slug: str) -> None:
    if not Article.objects.filter(slug=slug).exists():
        raise NotFoundError("article")


def _insert_with_unique_slug(article: Article) -> None:
    """
    Inserts `article` under the plain slug of its title, or with a random suffix when that is taken:
    one statement per attempt, which a slug taken (even by a concurrent request) skips without error.
    """
    base = slugify(article.title)[:SLUG_BASE_MAX_LENGTH].strip("-") or "article"
    candidates = [base] + [f"{base}-{secrets.token_hex(4)}" for _ in range(SLUG_ATTEMPTS)]
    for slug in candidates:
        if slug in RESERVED_SLUGS:
            continue
        article.slug = slug
        if insert_unless_conflict(article, conflict_fields=["slug"]):
            return
    raise RuntimeError(f"no free slug for {base!r} after {len(candidates)} attempts")


@transaction.atomic
def article_favorites_count_recount(*, article_id: int) -> None:
    """Sets the article's favorites_count from its Favorite rows, in one UPDATE (safe against concurrent favorites)."""
    Article.objects.filter(pk=article_id).update(favorites_count=article_favorites_counted())
    article_favorites_recounted(article_id=article_id)
