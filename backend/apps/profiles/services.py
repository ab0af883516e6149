from django.db import IntegrityError, transaction

from apps.core.exceptions import InvalidError
from apps.profiles.caching import follows_changed
from apps.profiles.models import Follow
from apps.profiles.selectors import profile_user_get
from apps.users.models import User


@transaction.atomic
def profile_follow(*, follower: User, username: str) -> None:
    """`follower` follows `username` (idempotent); NotFoundError if there is no such user."""
    followee = profile_user_get(username=username)
    if followee.pk == follower.pk:
        raise InvalidError("profile", "cannot follow yourself")
    try:
        with transaction.atomic():
            Follow.objects.create(follower=follower, followee=followee)
    except IntegrityError:
        return  # following already (a concurrent request): as with favorites, never a 500
    follows_changed(follower_id=follower.pk)


@transaction.atomic
def profile_unfollow(*, follower: User, username: str) -> None:
    """`follower` stops following `username` (idempotent); NotFoundError if there is no such user."""
    followee = profile_user_get(username=username)
    deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
    if deleted:
        follows_changed(follower_id=follower.pk)
