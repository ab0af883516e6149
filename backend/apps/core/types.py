"""
Types shared by the apps, so that none has to import another's internals for a name.

- `Viewer`: whoever reads (`request.user`): the signed-in user or Django's anonymous user.
- `Entry`: a cached, viewer-independent representation and the ids its viewer's flags depend on:
  `{"id": ..., "author_id": ..., "data": {...}}` (profiles have no `author_id`).
- `Cursor`, `PageParams`: a page of a newest-first list, by offset or by keyset cursor.
- `EntryPage`: what a list's selector returns: a page of entries and the cursor of the next one.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

from django.contrib.auth.models import AnonymousUser

if TYPE_CHECKING:
    # django-stubs' name for settings.AUTH_USER_MODEL, which its plugin resolves: core names no app's model.
    from django.contrib.auth.models import _User as AuthUser

Viewer: TypeAlias = "AuthUser | AnonymousUser"
Entry: TypeAlias = dict[str, Any]


@dataclass(frozen=True)
class EntryPage:
    """A page of a newest-first list as shared entries, and the cursor of the next page (None on the last)."""

    entries: list[Entry]
    next_cursor: str | None


@dataclass(frozen=True)
class Cursor:
    """A position in a newest-first list: the creation time and id of the last item seen."""

    created_at: datetime
    id: int


class PageParams(TypedDict):
    """Validated pagination parameters (apps.api.serializers.PaginationParamsSerializer)."""

    limit: int
    offset: int
    cursor: Cursor | None
