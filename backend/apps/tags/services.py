from django.db import transaction

from apps.tags.models import Tag


@transaction.atomic
def tag_get_or_create_many(*, names: list[str]) -> list[Tag]:
    """The tags with these names, creating the missing ones in one statement (safe under concurrency)."""
    if not names:
        return []
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=names))
