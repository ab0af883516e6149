from django.db import transaction

from apps.tags.caching import tags_changed
from apps.tags.models import Tag


@transaction.atomic(savepoint=False)
def tag_get_or_create_many(*, names: list[str]) -> list[Tag]:
    """
    The tags with these names, creating the missing ones; safe under concurrency. One statement when
    they all exist, two otherwise, and no savepoint.
    """
    if not names:
        return []
    tags = list(Tag.objects.filter(name__in=names))
    missing = set(names).difference(tag.name for tag in tags)
    if missing:
        # INSERT ... ON CONFLICT (name) DO UPDATE ... RETURNING id: the conflict arm (a tag created
        # by a concurrent transaction since the SELECT) rewrites only the name, with the same value,
        # so that every row comes back with its id, and the popularity ranking stays as it was.
        tags += Tag.objects.bulk_create(
            [Tag(name=name) for name in sorted(missing)],
            update_conflicts=True,
            unique_fields=["name"],
            update_fields=["name"],
        )
    return tags


@transaction.atomic
def tag_popularity_set(*, scores: list[tuple[int, float]]) -> None:
    """
    Replaces the popularity ranking: `scores` are (tag id, score) pairs, best first; every other tag
    becomes unranked. The tag list shows the new order once this commits.
    """
    Tag.objects.filter(popularity_rank__isnull=False).update(popularity_rank=None, popularity_score=None)
    ranked = [Tag(pk=pk, popularity_rank=rank, popularity_score=score) for rank, (pk, score) in enumerate(scores, 1)]
    Tag.objects.bulk_update(ranked, ["popularity_rank", "popularity_score"], batch_size=500)
    tags_changed()
