"""
The stamps of users' public data (apps.caching.reads): the profiles app caches profiles on them, the
articles app the lists filtered by a username. Declared here, by the app whose writes bump them.
"""

from collections.abc import Iterable

from apps.caching.reads import USER_TOKENS, Stamp, invalidation

# A user's public profile (username, bio, image), by user id.
USER_PROFILE = Stamp("user-profile")
# Who bears a username (entries keyed by a username: the profile lookup, `?author=`, `?favorited=`).
USERNAME = Stamp("username")


@invalidation(USERNAME)
def user_registered(*, username: str) -> Iterable[str]:
    """A username that was free (and may be cached as unknown) now names someone."""
    return [USERNAME.key(username)]


@invalidation(USER_PROFILE, USERNAME)
def user_profile_changed(*, user_id: int, usernames: Iterable[str]) -> Iterable[str]:
    """The user's profile changed; `usernames`: their old and new usernames when they renamed."""
    return [USER_PROFILE.key(user_id), *(USERNAME.key(username) for username in usernames)]


@invalidation(USER_TOKENS)
def user_tokens_changed(*, user_id: int) -> Iterable[str]:
    """The user's tokens changed (a password change, "sign out everywhere", deactivation, deletion)."""
    return [USER_TOKENS.key(user_id)]
