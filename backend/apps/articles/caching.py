"""Cache keys of article lists, counts and details. Entries hold only viewer-independent data."""

import hashlib
from typing import TYPE_CHECKING

from apps.api.pagination import page_key_part
from apps.caching.generations import Versions, generations_bump, key_part, versions_tag
from apps.users.caching import PROFILES_GEN

if TYPE_CHECKING:
    from apps.core.types import PageParams

# Bumped by any change that a list can show: publish, edit, delete, favorite, unfavorite.
ARTICLES_LIST_GEN = "articles:list:gen"
ARTICLE_LIST_TTL = 300
ARTICLE_DETAIL_TTL = 600


def article_version_key(slug: str) -> str:
    return f"articles:detail:{key_part(slug)}:v"


def article_list_keys() -> list[str]:
    return [ARTICLES_LIST_GEN, PROFILES_GEN]


def article_detail_keys(slug: str) -> list[str]:
    return [article_version_key(slug), PROFILES_GEN]


def article_list_cache_key(filters: dict[str, str | None], page: "PageParams", versions: Versions) -> str:
    position = page_key_part(cursor=page["cursor"], offset=page["offset"])
    return f"articles:list:{_filters_hash(filters)}:{page['limit']}:{position}:{versions_tag(versions)}"


def article_count_cache_key(filters: dict[str, str | None], versions: Versions) -> str:
    """One count per filter, shared by all its pages: no page pays a count(*) over the table on a hit."""
    return f"articles:count:{_filters_hash(filters)}:{versions_tag(versions)}"


def article_detail_cache_key(slug: str, versions: Versions) -> str:
    return f"articles:detail:{key_part(slug)}:{versions_tag(versions)}"


def invalidate_article_lists() -> None:
    generations_bump(ARTICLES_LIST_GEN)


def invalidate_article(slug: str) -> None:
    generations_bump(ARTICLES_LIST_GEN, article_version_key(slug))


def _filters_hash(filters: dict[str, str | None]) -> str:
    canonical = "&".join(f"{name}={filters[name] or ''}" for name in sorted(filters))
    return hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()[:16]
