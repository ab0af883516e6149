"""
Cache keys of public profiles (built on apps.users.caching.PROFILES_GEN), and the per-viewer counter
behind `following`/`favorited` ETags.
"""

from typing import TYPE_CHECKING

from apps.caching.generations import Versions, generations_bump, key_part, versions_tag

if TYPE_CHECKING:
    from apps.core.types import Viewer

PROFILE_TTL = 600


def viewer_version_key(user_id: int) -> str:
    """Bumped by the user's own follows and favorites: the flags they see change, nothing shared does."""
    return f"profiles:viewer:{user_id}:v"


def profile_cache_key(username: str, versions: Versions) -> str:
    return f"profiles:detail:{key_part(username)}:{versions_tag(versions)}"


def invalidate_viewer(user_id: int) -> None:
    generations_bump(viewer_version_key(user_id))


def viewer_keys(viewer: "Viewer") -> list[str]:
    """The counters of what only `viewer` sees (their `following`/`favorited` flags): none if anonymous."""
    return [viewer_version_key(viewer.pk)] if viewer.is_authenticated else []
