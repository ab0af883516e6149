from typing import Any

from django.db import DEFAULT_DB_ALIAS

from apps.caching.generations import Versions, cached
from apps.core.exceptions import NotFoundError
from apps.core.types import Entry, Viewer
from apps.profiles.caching import PROFILE_TTL, profile_cache_key
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
# Shared entries (cacheable, the same for every viewer)
# ------------------------------------------------------------------------------
def profile_entry(*, username: str, using: str | None = None) -> Entry:
    user = User.objects.using(using).filter(username=username).first()
    if user is None:
        raise NotFoundError("profile")
    return {"id": user.pk, "data": ProfileSerializer.entry_data(user)}


def profile_detail_entry(*, username: str, versions: Versions | None) -> Entry:
    """
    The shared entry of the profile of `username`; NotFoundError if there is none.

    With `versions` (see profiles.caching), it comes from the cache, filled from the primary
    database so that a lagging replica can never put old data under a new key.
    """
    if versions is None:
        return profile_entry(username=username)
    key = profile_cache_key(username, versions)
    return cached(key, PROFILE_TTL, lambda: profile_entry(username=username, using=DEFAULT_DB_ALIAS))


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
