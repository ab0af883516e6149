from django.db import transaction

from apps.tags.caching import invalidate_tags
from apps.tags.models import Tag


@transaction.atomic
def tag_get_or_create_many(*, names: list[str]) -> list[Tag]:
    """The tags with these names, creating the missing ones in one statement (safe under concurrency)."""
    if not names:
        return []
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=names))


@transaction.atomic
def tag_popularity_set(*, scores: list[tuple[int, float]]) -> None:
    """
    Replaces the popularity ranking: `scores` are (tag id, score) pairs, best first; every other tag
    becomes unranked. The tag list shows the new order once this commits.
    """
    Tag.objects.filter(popularity_rank__isnull=False).update(popularity_rank=None, popularity_score=None)
    ranked = [Tag(pk=pk, popularity_rank=rank, popularity_score=score) for rank, (pk, score) in enumerate(scores, 1)]
    Tag.objects.bulk_update(ranked, ["popularity_rank", "popularity_score"], batch_size=500)
    transaction.on_commit(invalidate_tags)
