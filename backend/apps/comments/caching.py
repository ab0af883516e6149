"""Cache keys of an article's comment list."""

from apps.core.caching import Versions, generations_bump, key_part, versions_tag
from apps.profiles.caching import PROFILES_GEN

COMMENT_LIST_TTL = 600


def comments_version_key(slug: str) -> str:
    return f"comments:list:{key_part(slug)}:v"


def comment_list_keys(slug: str) -> list[str]:
    return [comments_version_key(slug), PROFILES_GEN]


def comment_list_cache_key(slug: str, versions: Versions) -> str:
    return f"comments:list:{key_part(slug)}:{versions_tag(versions)}"


def invalidate_comments(slug: str) -> None:
    generations_bump(comments_version_key(slug))
