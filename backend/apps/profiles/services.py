from django.db import transaction

from apps.core.db import insert_unless_conflict
from apps.core.exceptions import InvalidError
from apps.feeds.hooks import timelines_follow_changed
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
    if insert_unless_conflict(Follow(follower=follower, followee=followee), conflict_fields=["follower", "followee"]):
        follows_changed(follower_id=follower.pk)
        timelines_follow_changed(follower_id=follower.pk, followee_id=followee.pk)
    # else following already (maybe by a concurrent request): as with favorites, nothing to do


@transaction.atomic
def profile_unfollow(*, follower: User, username: str) -> None:
    """`follower` stops following `username` (idempotent); NotFoundError if there is no such user."""
    followee = profile_user_get(username=username)
    deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
    if deleted:
        follows_changed(follower_id=follower.pk)
        timelines_follow_changed(follower_id=follower.pk, followee_id=followee.pk)
