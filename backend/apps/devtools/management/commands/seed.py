"""
`manage.py seed`: bulk-loads realistic random data, for load tests and benchmarks.

    manage.py seed --users 1000 --articles 10000 [--comments C] [--favorites F] [--follows W]
                   [--tags T] [--batch-size B] [--seed S]

Built to scale to a million articles and two million favorites on PostgreSQL:

- Rows are generated lazily and written with `bulk_create`, `--batch-size` at a time, one
  transaction per batch. No query is issued per row, and memory holds one batch plus the ids of
  the users and articles this run created (compact arrays: 8 bytes a row).
- Every run works in a namespace of its own: a short random token, checked to be unused, ends
  every username, e-mail and slug it creates, so runs never collide with earlier ones or real data.
- Follows, favorites and comments are drawn among this run's users and articles only. Pairs are
  distinct by construction (sampled without replacement), so the requested counts are exact, and
  no row from before the run changes. Tags are shared between runs: they are looked up by name.
- The services are bypassed for speed, so the command does what they would: it recomputes
  `favorites_count` from the Favorite rows (one UPDATE, which also repairs an interrupted earlier
  run), the lists' counter rows (apps.articles.counts) and the tags' popularity ranking, and
  invalidates the shared caches.
"""

import random
import string
import time
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, reset_queries, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from apps.articles.counts import article_counts_reconcile
from apps.articles.models import Article, Favorite
from apps.caching.reads import everything_changed
from apps.comments.models import Comment
from apps.devtools.management import sample_text
from apps.profiles.models import Follow
from apps.stats.services import tag_popularity_recompute
from apps.tags.models import Tag
from apps.users.models import User

M = TypeVar("M", bound=models.Model)

SEED_PASSWORD = "password123"
TOKEN_ALPHABET = string.ascii_lowercase + string.digits
TOKEN_LENGTH = 5
# Articles are dated over this period before the run, oldest first; comments come after their article.
HISTORY = timedelta(days=730)
# How many tags an article gets: 0 to 4, mostly 2 or 3.
TAGS_PER_ARTICLE_WEIGHTS = [10, 20, 35, 25, 10]
ArticleTag = Article.tags.through


@dataclass(frozen=True)
class Plan:
    """What one run creates; the relation counts are exact."""

    users: int
    articles: int
    comments: int
    favorites: int
    follows: int
    tags: int
    batch_size: int

    @property
    def rows(self) -> int:
        """The rows the progress bar counts (article-tag links are not known in advance)."""
        return self.tags + self.users + self.follows + self.articles + self.favorites + self.comments


class Command(BaseCommand):
    help = "Bulk-loads random users, articles, tags, comments, follows and favorites (repeatable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, required=True, help="users to create")
        parser.add_argument("--articles", type=int, required=True, help="articles to create")
        parser.add_argument("--comments", type=int, help="comments to create (default: 2 per article)")
        parser.add_argument("--favorites", type=int, help="favorites to create (default: 2 per article)")
        parser.add_argument("--follows", type=int, help="follows to create (default: 10 per user)")
        parser.add_argument("--tags", type=int, default=50, help="size of the tag vocabulary (default: 50)")
        parser.add_argument("--batch-size", type=int, default=2000, help="rows per INSERT batch (default: 2000)")
        parser.add_argument("--seed", type=int, help="random seed, to generate the same data again")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = _plan(options)
        if not connection.features.can_return_rows_from_bulk_insert:
            raise CommandError("seed needs a database that returns ids from bulk inserts (PostgreSQL, SQLite 3.35+)")
        rng = random.Random(options["seed"])
        token = _unused_token(rng)
        started = time.monotonic()
        with tqdm(total=plan.rows, unit=" rows", unit_scale=True, disable=options["verbosity"] == 0) as progress:
            progress.set_description("tags")
            tag_ids = _tags_get_or_create(plan.tags)
            progress.update(plan.tags)
            progress.set_description("users")
            user_ids = _insert_returning_ids(User, _users(rng, token, plan.users), plan.batch_size, progress)
            progress.set_description("follows")
            _insert(Follow, _follows(rng, user_ids, plan.follows), plan.batch_size, progress)
            progress.set_description("articles")
            _create_articles(rng, token=token, plan=plan, user_ids=user_ids, tag_ids=tag_ids, progress=progress)
            progress.set_description("favorites_count")
            updated = _favorites_count_recompute()
            progress.set_description("list counters")
            article_counts_reconcile(fix=True)
            progress.set_description("tag ranking")
            tag_popularity_recompute()  # as the beat job would within 10 minutes: GET /tags counts no tag
        # The new rows appear in lists, tag clouds and counts at once (everything_changed bumps the
        # cache's epoch: called outside a transaction, it does so at once).
        everything_changed()
        self._report(plan, token=token, seconds=time.monotonic() - started, updated=updated)

    def _report(self, plan: Plan, *, token: str, seconds: float, updated: int) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded in {seconds:.1f}s: {plan.users} users, {plan.articles} articles, {plan.comments} comments, "
                f"{plan.favorites} favorites, {plan.follows} follows, over {plan.tags} tags."
            )
        )
        self.stdout.write(f"favorites_count recomputed from the favorite rows: {updated} articles updated.")
        if plan.users:
            self.stdout.write(
                f'This run\'s e-mails end in ".{token}<n>@example.com" (n from 0); password "{SEED_PASSWORD}".'
            )


# ------------------------------------------------------------------------------
# Options
# ------------------------------------------------------------------------------
def _plan(options: dict[str, Any]) -> Plan:
    """The run's counts: defaults filled in, and every count checked to be achievable."""
    users, articles = options["users"], options["articles"]
    plan = Plan(
        users=users,
        articles=articles,
        comments=_default(options["comments"], 2 * articles),
        favorites=_default(options["favorites"], min(2 * articles, users * articles)),
        follows=_default(options["follows"], min(10 * users, users * (users - 1))),
        tags=options["tags"],
        batch_size=options["batch_size"],
    )
    if min(plan.users, plan.articles, plan.comments, plan.favorites, plan.follows, plan.tags) < 0:
        raise CommandError("counts cannot be negative")
    if plan.batch_size < 1:
        raise CommandError("--batch-size must be at least 1")
    if plan.articles and not plan.users:
        raise CommandError("articles need authors: --users must be at least 1")
    if plan.comments and not plan.articles:
        raise CommandError("comments need articles: --articles must be at least 1")
    # Relations only join this run's rows, and a pair exists at most once.
    if plan.favorites > plan.users * plan.articles:
        raise CommandError(f"--favorites cannot exceed users x articles ({plan.users * plan.articles})")
    if plan.follows > plan.users * (plan.users - 1):
        raise CommandError(f"--follows cannot exceed users x (users - 1) ({plan.users * (plan.users - 1)})")
    if plan.tags > sample_text.MAX_TAG_NAMES:
        raise CommandError(f"--tags cannot exceed {sample_text.MAX_TAG_NAMES}")
    return plan


def _default(value: int | None, default: int) -> int:
    return default if value is None else value


def _unused_token(rng: random.Random) -> str:
    """
    A token found in no username, e-mail or slug yet. Every name this run creates ends in the
    token plus a per-run number, after a separator the token cannot contain, so all are new.
    """
    while True:
        token = "".join(rng.choices(TOKEN_ALPHABET, k=TOKEN_LENGTH))
        users = User.objects.filter(Q(username__contains=token) | Q(email__icontains=token))
        if not users.exists() and not Article.objects.filter(slug__contains=token).exists():
            return token


# ------------------------------------------------------------------------------
# Writing in batches
# ------------------------------------------------------------------------------
def _chunks(rows: Iterable[M], size: int) -> Iterator[list[M]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(model: type[M], rows: Iterable[M], batch_size: int, progress: tqdm | None = None) -> None:
    for chunk in _chunks(rows, batch_size):
        model._default_manager.bulk_create(chunk)
        _forget_queries()
        if progress is not None:
            progress.update(len(chunk))


def _insert_returning_ids(model: type[M], rows: Iterable[M], batch_size: int, progress: tqdm) -> array:
    ids = array("q")
    for chunk in _chunks(rows, batch_size):
        model._default_manager.bulk_create(chunk)  # sets each object's pk (INSERT ... RETURNING)
        _forget_queries()
        ids.extend(row.pk for row in chunk)
        progress.update(len(chunk))
    return ids


def _forget_queries() -> None:
    # With DEBUG on, Django keeps the SQL of the last 9,000 queries, and a bulk INSERT's SQL holds
    # every value of its batch: gigabytes over a large run.
    reset_queries()


@contextmanager
def _explicit_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """
    Lets bulk_create store the created_at/updated_at values we set, instead of "now".

    `auto_now`/`auto_now_add` overwrite them on every insert, and seeded data should look like a
    site with history (the API shows these dates, and lists are ordered by them). The flags are
    process-wide, which is harmless in a management command; they are restored on exit.
    """
    fields = [
        field
        for model_class in model_classes
        for field in model_class._meta.concrete_fields
        if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


# ------------------------------------------------------------------------------
# Row generators
# ------------------------------------------------------------------------------
def _tags_get_or_create(count: int) -> list[int]:
    """The ids of the first `count` tag names, most popular first; earlier runs' tags are reused."""
    names = sample_text.tag_names(count)
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    ids = dict(Tag.objects.filter(name__in=names).values_list("name", "id"))
    return [ids[name] for name in names]


def _users(rng: random.Random, token: str, count: int) -> Iterator[User]:
    # Argon2 is slow by design: hash once, and every seeded user shares the hash (and password).
    password = make_password(SEED_PASSWORD)
    for number in range(count):
        first, last = sample_text.person(rng)
        yield User(
            username=f"{first}{last}_{token}{number}",
            email=f"{first}.{last}.{token}{number}@example.com",
            password=password,
            bio=sample_text.bio(rng),
        )


def _follows(rng: random.Random, user_ids: array, total: int) -> Iterator[Follow]:
    """Each user follows a random number of distinct others (never themselves)."""
    count = len(user_ids)
    for follower, followed in enumerate(_spread(rng, total, parts=count, cap=count - 1)):
        for index in rng.sample(range(count - 1), followed):
            followee = index + (index >= follower)  # skip over the follower itself
            yield Follow(follower_id=user_ids[follower], followee_id=user_ids[followee])


def _create_articles(
    rng: random.Random, *, token: str, plan: Plan, user_ids: array, tag_ids: list[int], progress: tqdm
) -> None:
    """Articles with their tags, favorites and comments, a batch of articles at a time."""
    now = timezone.now()
    favorites = _spread(rng, plan.favorites, parts=plan.articles, cap=len(user_ids))
    comments = _spread(rng, plan.comments, parts=plan.articles, cap=plan.comments)
    with _explicit_timestamps(Article, Comment):
        for first in range(0, plan.articles, plan.batch_size):
            numbers = range(first, min(first + plan.batch_size, plan.articles))
            articles = [_article(rng, token, number, plan.articles, now, user_ids) for number in numbers]
            with transaction.atomic():
                Article.objects.bulk_create(articles)
                _insert(ArticleTag, _article_tags(rng, articles, tag_ids), plan.batch_size)
                _insert(Favorite, _favorites(rng, articles, favorites, user_ids), plan.batch_size, progress)
                _insert(Comment, _comments(rng, articles, comments, user_ids, now), plan.batch_size, progress)
            progress.update(len(articles))


def _article(rng: random.Random, token: str, number: int, total: int, now: datetime, user_ids: array) -> Article:
    # Spread evenly over HISTORY in creation order, with jitter. Squaring the random number favours
    # the first users: a few prolific authors write a good share of the articles, as on real sites.
    created_at = now - HISTORY + HISTORY * ((number + rng.random()) / total)
    title = sample_text.title(rng)
    return Article(
        slug=f"{slugify(title)[:200]}-{token}{number}",
        title=title,
        description=sample_text.description(rng),
        body=sample_text.body(rng),
        author_id=user_ids[int(len(user_ids) * rng.random() ** 2)],
        created_at=created_at,
        updated_at=created_at,
    )


def _article_tags(rng: random.Random, articles: list[Article], tag_ids: list[int]) -> Iterator[Any]:
    """0 to 4 distinct tags per article, the first tags of the vocabulary being the most popular."""
    for article in articles:
        wanted = min(rng.choices(range(len(TAGS_PER_ARTICLE_WEIGHTS)), TAGS_PER_ARTICLE_WEIGHTS)[0], len(tag_ids))
        chosen: set[int] = set()
        while len(chosen) < wanted:
            chosen.add(tag_ids[int(len(tag_ids) * rng.random() ** 2)])
        for tag_id in chosen:
            yield ArticleTag(article_id=article.pk, tag_id=tag_id)


def _favorites(
    rng: random.Random, articles: list[Article], counts: Iterator[int], user_ids: array
) -> Iterator[Favorite]:
    for article in articles:
        for index in rng.sample(range(len(user_ids)), next(counts)):
            yield Favorite(user_id=user_ids[index], article_id=article.pk)


def _comments(
    rng: random.Random, articles: list[Article], counts: Iterator[int], user_ids: array, now: datetime
) -> Iterator[Comment]:
    for article in articles:
        for _ in range(next(counts)):
            created_at = article.created_at + (now - article.created_at) * rng.random()
            yield Comment(
                article_id=article.pk,
                author_id=user_ids[rng.randrange(len(user_ids))],
                body=sample_text.comment(rng),
                created_at=created_at,
                updated_at=created_at,
            )


def _spread(rng: random.Random, total: int, *, parts: int, cap: int) -> Iterator[int]:
    """
    Splits `total` into `parts` random counts of at most `cap` each, summing exactly to `total`.

    Counts are drawn from an exponential distribution around the running mean, so most parts get
    a few and some get many (popular articles, busy users); each is clamped so that the parts left
    can still hold the rest. Requires total <= parts * cap.
    """
    remaining = total
    for left in range(parts, 0, -1):
        mean = remaining / left
        draw = rng.expovariate(1 / mean) if mean else 0.0
        # Rounded up or down at random in proportion, which keeps the mean exact.
        count = int(draw) + (rng.random() < draw % 1)
        count = min(max(count, remaining - cap * (left - 1)), cap, remaining)
        remaining -= count
        yield count


# ------------------------------------------------------------------------------
# The denormalized counter
# ------------------------------------------------------------------------------
def _favorites_count_recompute() -> int:
    """Sets favorites_count from the Favorite rows on every article where it is off; returns how many."""
    favorites = Favorite.objects.filter(article=OuterRef("pk")).order_by().values("article")
    actual = Coalesce(Subquery(favorites.annotate(count=Count("pk")).values("count")), 0)
    return Article.objects.exclude(favorites_count=actual).update(favorites_count=actual)
