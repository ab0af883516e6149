from collections import Counter

import factory
from factory.django import DjangoModelFactory

from apps.articles.counts import article_counts_add, article_deltas
from apps.articles.models import Article, ArticleCount, Favorite
from apps.comments.models import Comment
from apps.profiles.models import Follow
from apps.tags.models import Tag
from apps.users.models import User

PASSWORD = "password123"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: dict | None = None) -> None:
        if create:
            instance.save()


class TagFactory(DjangoModelFactory[Tag]):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")


class ArticleFactory(DjangoModelFactory[Article]):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-number-{n}")
    description = factory.Faker("sentence")
    body = factory.Faker("paragraph")
    author = factory.SubFactory(UserFactory)

    @factory.post_generation
    def tags(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.tags.set([TagFactory(name=name) for name in extracted])

    @classmethod
    def _after_postgeneration(cls, instance: Article, create: bool, results: dict | None = None) -> None:
        # The list counters, as article_create moves them.
        if create:
            tag_ids = list(instance.tags.values_list("pk", flat=True))
            article_counts_add(article_deltas(author_id=instance.author_id, tag_ids=tag_ids, sign=1))


class CommentFactory(DjangoModelFactory[Comment]):
    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Faker("sentence")


class FollowFactory(DjangoModelFactory[Follow]):
    class Meta:
        model = Follow

    follower = factory.SubFactory(UserFactory)
    followee = factory.SubFactory(UserFactory)


class FavoriteFactory(DjangoModelFactory[Favorite]):
    """A favorite row and its list counter; use the article_favorite service where favorites_count must follow."""

    class Meta:
        model = Favorite

    user = factory.SubFactory(UserFactory)
    article = factory.SubFactory(ArticleFactory)

    @classmethod
    def _after_postgeneration(cls, instance: Favorite, create: bool, results: dict | None = None) -> None:
        # The favoriter's list counter, as article_favorite moves it (favorites_count is left alone).
        if create:
            article_counts_add(Counter({(ArticleCount.Kind.FAVORITED, instance.user_id): 1}))
