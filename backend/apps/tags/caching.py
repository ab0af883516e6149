"""The cached read of the popular-tags list (apps.caching.reads)."""

from collections.abc import Iterable

from apps.caching.reads import CachedEntry, Stamp, invalidation, read_many, single
from apps.tags.selectors import tag_list_popular

TAG_LIST_TTL = 600

TAGS = Stamp("tags")  # the tags in use and their order

TAG_LIST = CachedEntry[None, list[str]](
    name="tags.list",
    ttl=TAG_LIST_TTL,
    load=lambda params, using: {None: tag_list_popular(using=using)},
    depends_on=((TAGS, single),),
)


def tag_list() -> list[str]:
    """Every tag in use, most popular first."""
    return read_many([(TAG_LIST, [None])])[0][None] or []


@invalidation(TAGS)
def tags_changed() -> Iterable[str]:
    """An article was published, retagged or deleted, or the popularity ranking was recomputed."""
    return [TAGS.key()]
