"""`manage.py demo`: loads a small hand-written data set to click through (see demo_data.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.articles.models import Article, Favorite
from apps.articles.services import article_create, article_favorite
from apps.comments.models import Comment
from apps.comments.services import comment_create
from apps.core.exceptions import ConflictError
from apps.devtools.management import demo_data
from apps.profiles.models import Follow
from apps.profiles.services import profile_follow
from apps.tags.models import Tag
from apps.users.models import User
from apps.users.services import user_register, user_update

COUNTED_MODELS = [User, Follow, Tag, Article, Comment, Favorite]


class Command(BaseCommand):
    help = (
        "Loads demo users (johndoe, janedoe...), articles, comments, follows and favorites. "
        "Idempotent: rows that exist already are left as they are."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        before = _row_counts()
        # All or nothing: a failure leaves no half-loaded demo behind. The services' cache
        # invalidations run once this transaction commits.
        with transaction.atomic():
            users = {demo_user.username: _user_get_or_register(demo_user) for demo_user in demo_data.USERS}
            articles = {
                demo_article.title: _article_get_or_create(demo_article, users) for demo_article in demo_data.ARTICLES
            }
            for demo_comment in demo_data.COMMENTS:
                _comment_get_or_create(demo_comment, users=users, articles=articles)
            for follower, followee in demo_data.FOLLOWS:
                profile_follow(follower=users[follower], username=followee)
            for username, title in demo_data.FAVORITES:
                article_favorite(user=users[username], slug=articles[title].slug)
        self._report(before=before, after=_row_counts(), users=list(users.values()))

    def _report(self, *, before: dict[str, int], after: dict[str, int], users: list[User]) -> None:
        created = {name: after[name] - before[name] for name in after if after[name] != before[name]}
        if created:
            summary = ", ".join(f"{count} {name}" for name, count in created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: created {summary}."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already loaded: nothing to do."))
        self.stdout.write(f'Log in with any of these e-mails and the password "{demo_data.DEMO_PASSWORD}":')
        for user in users:
            self.stdout.write(f"  {user.email:<28} {user.username}")
        self.stdout.write("(Accounts that existed before the first run keep their own password.)")


def _row_counts() -> dict[str, int]:
    return {str(model._meta.verbose_name_plural): model._default_manager.count() for model in COUNTED_MODELS}


def _user_get_or_register(demo_user: demo_data.DemoUser) -> User:
    user = User.objects.filter(username=demo_user.username).first()
    if user is not None:
        return user
    try:
        user = user_register(username=demo_user.username, email=demo_user.email, password=demo_data.DEMO_PASSWORD)
    except ConflictError as error:
        raise CommandError(f"cannot create demo user {demo_user.username}: {error}") from error
    # Registration takes no bio; images stay null, so clients show their default avatar.
    if demo_user.bio:
        user = user_update(user=user, changes={"bio": demo_user.bio})
    return user


def _article_get_or_create(demo_article: demo_data.DemoArticle, users: dict[str, User]) -> Article:
    # Keyed on author and title, not slug: the service may have suffixed the slug if it was taken.
    author = users[demo_article.author]
    article = Article.objects.filter(author=author, title=demo_article.title).first()
    if article is not None:
        return article
    return article_create(
        author=author,
        title=demo_article.title,
        description=demo_article.description,
        body=demo_article.body,
        tag_list=list(demo_article.tags),
    )


def _comment_get_or_create(
    demo_comment: demo_data.DemoComment, *, users: dict[str, User], articles: dict[str, Article]
) -> None:
    article, author = articles[demo_comment.article], users[demo_comment.author]
    if not Comment.objects.filter(article=article, author=author, body=demo_comment.body).exists():
        comment_create(article=article, author=author, body=demo_comment.body)
