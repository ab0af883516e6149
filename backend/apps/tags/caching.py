"""Cache key of the popular-tags list."""

from apps.caching.generations import Versions, generations_bump, versions_tag

# Bumped when an article is published, retagged or deleted.
TAGS_GEN = "tags:list:gen"
TAG_LIST_TTL = 600


def tag_list_cache_key(versions: Versions) -> str:
    return f"tags:list:{versions_tag(versions)}"


def invalidate_tags() -> None:
    generations_bump(TAGS_GEN)
