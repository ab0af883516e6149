"""
The one pagination mechanism of the API's lists (articles, the feed, comments, notifications):
keyset ("cursor") pagination for infinite scroll, next to RealWorld's limit/offset.

A deep offset makes the database walk past every skipped row; a cursor names the last item seen,
so the next page starts with an index seek however deep it is. A list is newest first either by
creation time (articles, the feed, comments: the cursor names a `Cursor`, creation time and id) or
by id alone (notifications: the cursor names an id). Every list fetches one item more than its
page (`page_slice`), so `page_of` knows without a count whether a next page exists.

The parameters (`limit`, `cursor`, `offset`) are validated by apps.api.serializers.CursorParamsSerializer
and its subclasses, each list with its own defaults and limits.
"""

import base64
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from rest_framework.request import Request

from apps.core.types import Cursor

M = TypeVar("M", bound=Model)
T = TypeVar("T")  # an item of a page: a cached entry ({"id": ..., "data": {..., "createdAt": ...}}) or a model
MAX_ID = 2**63  # ids are BIGINT
Position = Cursor | int  # where a page starts: after this (creation time, id), or after this id


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


def id_cursor_encode(id: int, *, prefix: str) -> str:
    """An opaque cursor for the item `id` of a list newest first by id (`prefix` tells the lists' cursors apart)."""
    return base64.urlsafe_b64encode(f"{prefix}{id}".encode()).decode().rstrip("=")


def id_cursor_decode(value: str, *, prefix: str) -> int:
    """The id an `id_cursor_encode` cursor names; ValueError when it is not one of ours."""
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        decoded = ""
    digits = decoded.removeprefix(prefix)
    if not (decoded.startswith(prefix) and digits.isdigit() and 0 < int(digits) < MAX_ID):
        raise ValueError(f"not a cursor: {value!r}")
    return int(digits)


def newest_first_after(queryset: QuerySet[M], cursor: Position | None) -> QuerySet[M]:
    """
    The rows after `cursor` in (created_at, id) descending order, or in id descending order when
    `cursor` is an id; all of them without a cursor.
    """
    if cursor is None:
        return queryset
    if isinstance(cursor, int):
        return queryset.filter(pk__lt=cursor)
    # created_at <= c is the index range; the exclusion drops the rows at or before the cursor itself.
    return queryset.filter(created_at__lte=cursor.created_at).exclude(created_at=cursor.created_at, id__gte=cursor.id)


def page_slice(queryset: QuerySet[M], *, cursor: Position | None, limit: int, offset: int = 0) -> QuerySet[M]:
    """
    The rows of one page of `queryset` (newest first), after `cursor` or `offset`, plus one more
    when there is one: `page_of` drops it, and so knows whether a next page exists.
    """
    return newest_first_after(queryset, cursor)[offset : offset + limit + 1]


def page_of(items: list[T], limit: int, *, cursor_of: Callable[[T], str]) -> tuple[list[T], str | None]:
    """
    The items a page shows (`page_slice` fetched one more) and the cursor of the next page,
    `cursor_of(the last item shown)`; None on the last page.
    """
    shown = items[:limit]
    return shown, cursor_of(shown[-1]) if len(items) > limit else None


def entry_cursor(entry: Mapping[str, Any]) -> str:
    """The cursor of the page after `entry` (a cached entry: id + data)."""
    return cursor_encode(created_at=entry["data"]["createdAt"], id=entry["id"])


def page_key_part(*, cursor: Cursor | None, offset: int = 0) -> str:
    """Where a page starts, for its cache key: the cursor's position, else the offset."""
    return f"c{cursor.created_at.timestamp()}.{cursor.id}" if cursor else str(offset)


def cursor_list_body(
    request: Request, *, name: str, items: list[Any], next_cursor: str | None, count: int | None = None
) -> dict[str, Any]:
    """
    A list as v2 and later versions answer it: `{<name>: items, "nextCursor", "links": {"next"},
    "<name>Count"}`, the count only when the caller has it exact and cheap (from counter rows).
    """
    body: dict[str, Any] = {name: items, "nextCursor": next_cursor, "links": {"next": next_link(request, next_cursor)}}
    if count is not None:
        body[f"{name}Count"] = count
    return body


def next_link(request: Request, next_cursor: str | None) -> str | None:
    """The path and query of the page after this one: the request's own, with `cursor` set to `next_cursor`."""
    if next_cursor is None:
        return None
    query = request.query_params.copy()
    query["cursor"] = next_cursor
    return f"{request.path}?{query.urlencode()}"
