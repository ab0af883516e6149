from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Exists, OuterRef, Value
from django.db.models.expressions import Expression

from apps.core.exceptions import NotFoundError
from apps.profiles.models import Follow
from apps.users.models import User

Viewer = User | AnonymousUser
T = TypeVar("T")


def following_expression(*, viewer: Viewer, user_ref: str = "pk") -> Expression:
    """
    An SQL boolean: does `viewer` follow the user at `user_ref` of the outer query?

    A constant false for anonymous viewers, so their queries carry no subquery at all.
    """
    if not viewer.is_authenticated:
        return Value(False, output_field=BooleanField())
    return Exists(Follow.objects.filter(follower_id=viewer.pk, followee_id=OuterRef(user_ref)))


def profile_get(*, username: str, viewer: Viewer) -> User:
    """The user named `username`, annotated with `following` for `viewer`; NotFoundError otherwise."""
    profile = User.objects.annotate(following=following_expression(viewer=viewer)).filter(username=username).first()
    if profile is None:
        raise NotFoundError("profile")
    return profile


def author_following_attach(items: list[T]) -> list[T]:
    """
    Copies each item's `author_following` annotation onto its author as `author.following`.

    Articles and comments are fetched with their author joined and `author_following` annotated
    (see `following_expression`); the nested profile serializer reads `author.following`.
    """
    for item in items:
        item.author.following = item.author_following  # type: ignore[attr-defined]
    return items
