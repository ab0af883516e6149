"""Cache keys of an article's comment list, one entry per page."""

from apps.api.pagination import Cursor, page_key_part
from apps.articles.caching import article_version_key
from apps.caching.generations import Versions, generations_bump, key_part, versions_tag
from apps.users.caching import PROFILES_GEN

COMMENT_LIST_TTL = 600


def comments_version_key(slug: str) -> str:
    return f"comments:list:{key_part(slug)}:v"


def comment_list_keys(slug: str) -> list[str]:
    # The article's own counter too: its deletion (edits also bump it) empties the list, without the
    # articles app having to know about comments.
    return [comments_version_key(slug), article_version_key(slug), PROFILES_GEN]


def comment_list_cache_key(slug: str, *, limit: int, cursor: Cursor | None, versions: Versions) -> str:
    """One entry per page: `limit` and where it starts (`cursor`) are part of the key."""
    position = page_key_part(cursor=cursor)
    return f"comments:list:{key_part(slug)}:{limit}:{position}:{versions_tag(versions)}"


def invalidate_comments(slug: str) -> None:
    generations_bump(comments_version_key(slug))
