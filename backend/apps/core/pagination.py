from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def paginate(queryset: QuerySet[M], *, limit: int, offset: int) -> tuple[list[M], int]:
    """One page of `queryset` and the total number of matches before paging."""
    return list(queryset[offset : offset + limit]), queryset.count()
