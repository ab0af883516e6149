from collections.abc import Iterable
from typing import Any

from apps.core.exceptions import NotFoundError
from apps.core.types import Entry, Viewer
from apps.profiles.models import Follow
from apps.profiles.serializers import ProfileSerializer
from apps.users.models import User


def profile_user_get(*, username: str) -> User:
    """The user named `username`; NotFoundError("profile") otherwise."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFoundError("profile")
    return user


# ------------------------------------------------------------------------------
# Shared data, loaded by the cached reads of profiles.caching
# ------------------------------------------------------------------------------
def profiles_by_id(*, user_ids: Iterable[int], using: str | None = None) -> dict[int, dict[str, Any]]:
    """The public profile (without `following`) of each of these users that exists, in one query."""
    users = User.objects.using(using).filter(pk__in=list(user_ids))
    return {user.pk: ProfileSerializer.entry_data(user) for user in users}


def profile_ids_by_username(*, usernames: Iterable[str], using: str | None = None) -> dict[str, int]:
    """The user id of each of these usernames that someone bears, in one query."""
    users = User.objects.using(using).filter(username__in=list(usernames))
    return dict(users.values_list("username", "pk"))


def followee_ids_by_follower(*, follower_ids: Iterable[int], using: str | None = None) -> dict[int, list[int]]:
    """The ids of the users each of these users follows (an empty list for none), in one index-only query."""
    followees: dict[int, list[int]] = {follower_id: [] for follower_id in follower_ids}
    follows = Follow.objects.using(using).filter(follower_id__in=list(followees))
    for follower_id, followee_id in follows.values_list("follower_id", "followee_id"):
        followees[follower_id].append(followee_id)
    return followees


# ------------------------------------------------------------------------------
# Per viewer: the flags laid over shared entries, which the views call after a selector
# ------------------------------------------------------------------------------
def followed_ids(*, viewer: Viewer, user_ids: set[int]) -> set[int]:
    """Which of `user_ids` `viewer` follows, in one index-only query (none for anonymous viewers)."""
    if not viewer.is_authenticated or not user_ids:
        return set()
    follows = Follow.objects.filter(follower_id=viewer.pk, followee_id__in=user_ids)
    return set(follows.values_list("followee_id", flat=True))


def with_author_following(entries: list[Entry], *, viewer: Viewer) -> list[dict[str, Any]]:
    """Each entry's data with `author.following` for `viewer` (new dicts: cached entries stay untouched)."""
    following = followed_ids(viewer=viewer, user_ids={entry["author_id"] for entry in entries})
    return [
        {**entry["data"], "author": {**entry["data"]["author"], "following": entry["author_id"] in following}}
        for entry in entries
    ]


def profile_for_viewer(entry: Entry, *, viewer: Viewer) -> dict[str, Any]:
    """The profile entry's data with `following` for `viewer`, in one small query."""
    return {**entry["data"], "following": entry["id"] in followed_ids(viewer=viewer, user_ids={entry["id"]})}
