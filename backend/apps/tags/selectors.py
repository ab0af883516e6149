from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, F

from apps.core.caching import Versions, cached
from apps.tags.caching import TAG_LIST_TTL, tag_list_cache_key
from apps.tags.models import Tag


def tag_list_popular(*, using: str | None = None) -> list[str]:
    """
    Every tag in use, in the popularity ranking of the periodic task stats.tag_popularity_recompute;
    tags it has not ranked yet (new ones) come after, the most used first (ties by name).
    """
    tags = (
        Tag.objects.using(using)
        .annotate(uses=Count("articles"))
        .filter(uses__gt=0)
        .order_by(F("popularity__rank").asc(nulls_last=True), "-uses", "name")
    )
    return list(tags.values_list("name", flat=True))


def tag_list_data(*, versions: Versions | None) -> list[str]:
    """`tag_list_popular`, from the cache when `versions` (see tags.caching) are given."""
    if versions is None:
        return tag_list_popular()
    return cached(tag_list_cache_key(versions), TAG_LIST_TTL, lambda: tag_list_popular(using=DEFAULT_DB_ALIAS))
