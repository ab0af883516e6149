from django.db import transaction

from apps.core.exceptions import InvalidError
from apps.profiles.models import Follow
from apps.profiles.selectors import profile_get
from apps.users.models import User


@transaction.atomic
def profile_follow(*, follower: User, username: str) -> User:
    """`follower` follows `username` (idempotent); returns the profile with `following` true."""
    followee = profile_get(username=username, viewer=follower)
    if followee.pk == follower.pk:
        raise InvalidError("profile", "cannot follow yourself")
    Follow.objects.get_or_create(follower=follower, followee=followee)
    followee.following = True
    return followee


@transaction.atomic
def profile_unfollow(*, follower: User, username: str) -> User:
    """`follower` stops following `username` (idempotent); returns the profile with `following` false."""
    followee = profile_get(username=username, viewer=follower)
    Follow.objects.filter(follower_id=follower.pk, followee=followee).delete()
    followee.following = False
    return followee
