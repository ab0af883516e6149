"""
The cached reads of public profiles (apps.caching.reads): a profile by user id, laid over every
article and comment that shows its author, and who bears a username. A profile edit invalidates
that profile's entry only; a follow changes nothing shared, only the follower's own flags and the
list of whom they follow (their feed's authors).
"""

from collections.abc import Iterable

from apps.caching.reads import VIEWER, CachedEntry, Stamp, invalidation, read_many
from apps.core.exceptions import NotFoundError
from apps.core.types import Entry
from apps.profiles.selectors import followee_ids_by_follower, profile_ids_by_username, profiles_by_id
from apps.users.caching import USER_PROFILE, USERNAME

PROFILE_TTL = 600
FOLLOWING_TTL = 3600

FOLLOWING = Stamp("following")  # whom a user follows, by follower id

# {"username", "bio", "image"} of a user id (None: no such user).
PROFILE = CachedEntry[int, dict[str, object] | None](
    name="profiles.profile",
    ttl=PROFILE_TTL,
    load=lambda ids, using: profiles_by_id(user_ids=ids, using=using),
    depends_on=((USER_PROFILE, lambda user_id: user_id),),
)
# The id of the user bearing a username (None: nobody).
PROFILE_ID = CachedEntry[str, int | None](
    name="profiles.id",
    ttl=PROFILE_TTL,
    load=lambda usernames, using: profile_ids_by_username(usernames=usernames, using=using),
    depends_on=((USERNAME, lambda username: username),),
)

# The ids of the users a user follows (their feed's authors), by follower id.
FOLLOWEES = CachedEntry[int, list[int]](
    name="profiles.followees",
    ttl=FOLLOWING_TTL,
    load=lambda ids, using: followee_ids_by_follower(follower_ids=ids, using=using),
    depends_on=((FOLLOWING, lambda follower_id: follower_id),),
)


def profile_detail(*, username: str) -> Entry:
    """The shared entry of the profile of `username` (`{"id", "data"}`); NotFoundError if there is none."""
    [ids] = read_many([(PROFILE_ID, [username])])
    user_id = ids.get(username)
    profile = read_many([(PROFILE, [user_id])])[0].get(user_id) if user_id is not None else None
    if user_id is None or profile is None:
        raise NotFoundError("profile")
    return {"id": user_id, "data": profile}


@invalidation(VIEWER, FOLLOWING)
def follows_changed(*, follower_id: int) -> Iterable[str]:
    """The follower's `following` flags and whom they follow changed; nothing shared did."""
    return [VIEWER.key(follower_id), FOLLOWING.key(follower_id)]
