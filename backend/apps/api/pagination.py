"""
Keyset ("cursor") pagination for infinite scroll, next to RealWorld's limit/offset.

A deep offset makes the database walk past every skipped row; a cursor names the last item seen
(its creation time and id), so the next page starts with an index seek however deep it is.
"""

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from apps.core.types import Cursor

M = TypeVar("M", bound=Model)
E = TypeVar("E", bound=Mapping[str, Any])  # a cached entry: {"id": ..., "data": {..., "createdAt": ...}}
MAX_ID = 2**63  # ids are BIGINT


def cursor_encode(*, created_at: str, id: int) -> str:
    """An opaque cursor for the item with this `createdAt` (as the API renders it) and id."""
    return base64.urlsafe_b64encode(f"{created_at}|{id}".encode()).decode().rstrip("=")


def cursor_decode(value: str) -> Cursor:
    """The position a cursor names; ValueError when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        created_at, id_ = raw.split("|")
        cursor = Cursor(created_at=datetime.fromisoformat(created_at), id=int(id_))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a cursor: {value!r}") from exc
    if cursor.created_at.tzinfo is None or not 0 < cursor.id < MAX_ID:
        raise ValueError(f"not a cursor: {value!r}")
    return cursor


def newest_first_after(queryset: QuerySet[M], cursor: Cursor | None) -> QuerySet[M]:
    """The rows after `cursor` in (created_at, id) descending order; all of them without a cursor."""
    if cursor is None:
        return queryset
    # created_at <= c is the index range; the exclusion drops the rows at or before the cursor itself.
    return queryset.filter(created_at__lte=cursor.created_at).exclude(created_at=cursor.created_at, id__gte=cursor.id)


def page_slice(queryset: QuerySet[M], *, cursor: Cursor | None, limit: int, offset: int = 0) -> QuerySet[M]:
    """
    The rows of one page of `queryset` (newest first), after `cursor` or `offset`, plus one more
    when there is one: `page_of` drops it, and so knows whether a next page exists.
    """
    return newest_first_after(queryset, cursor)[offset : offset + limit + 1]


def page_of(entries: list[E], limit: int) -> tuple[list[E], str | None]:
    """The entries a page shows (`page_slice` fetched one more) and the cursor of the next page, None on the last."""
    shown = entries[:limit]
    return shown, next_cursor(shown) if len(entries) > limit else None


def next_cursor(entries: Sequence[Mapping[str, Any]]) -> str:
    """The cursor of the page after `entries` (cached entries: id + data)."""
    last = entries[-1]
    return cursor_encode(created_at=last["data"]["createdAt"], id=last["id"])


def page_key_part(*, cursor: Cursor | None, offset: int = 0) -> str:
    """Where a page starts, for its cache key: the cursor's position, else the offset."""
    return f"c{cursor.created_at.timestamp()}.{cursor.id}" if cursor else str(offset)
