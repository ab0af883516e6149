from django.db.models import Count

from apps.tags.models import Tag


def tag_list_popular() -> list[str]:
    """Every tag in use, the most used first (ties by name)."""
    tags = Tag.objects.annotate(uses=Count("articles")).filter(uses__gt=0).order_by("-uses", "name")
    return list(tags.values_list("name", flat=True))
