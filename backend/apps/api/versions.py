"""
The API's versions, each declared once (docs/api-versions.md, docs/architecture.md "Versions").

Versions share every view, service, selector and cached read; they differ only in

- their **shapes**: the serializers that validate a request's parameters and document a response.
  A version's shape replaces the previous version's where they differ, declared beside it in the
  app's serializers with `@shape_of(<the shape it replaces>, version=...)`; the views ask
  `api_version(request).serializer(<v1 shape>)` and the schema generator does the same
  (apps.api.schema.VersionedAutoSchema), so the wire and openapi.<version>.yaml cannot disagree;
- their **pagination** (`cursor_only`): v1 is RealWorld's limit/offset (plus a cursor); later
  versions page with the cursor only and add `links.next` (apps.api.pagination.list_body);
- their **error rendering** (`problem_details`): v1's RealWorld envelope `{"errors": {...}}`,
  later versions RFC 9457 problem details (apps.api.problems);
- their **deprecation**: the dates and the guide of settings.API_VERSIONS[<name>], sent as the
  `Deprecation`, `Sunset` and `Link` headers of every response of the version
  (`deprecation_headers`), errors and responses stored in front of Django included.

Adding v3 (docs/architecture.md, "Adding v3"): one `ApiVersion(name="v3", based_on="v2", ...)` below,
its settings entry (API_V3_*), its `@shape_of(<v1's shape>, version="v3")` serializers where it
differs from v2, and `make schema` writes openapi.v3.yaml.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache
from typing import Any, TypeVar

from django.conf import settings

S = TypeVar("S", bound=type)


@dataclass(frozen=True)
class ApiVersion:
    name: str
    # The committed schema of this version, at the repository root (`make schema` writes it).
    schema_file: str
    # Lists page by cursor only (no `offset`), with `links.next`, and a count only where it is cheap.
    cursor_only: bool
    # Errors are RFC 9457 problem details (application/problem+json) instead of RealWorld's envelope.
    problem_details: bool
    # Articles, profiles and the user carry an ETag of their representation, and `PUT` an article or
    # the user with an `If-Match` that no longer matches answers 412 (apps.api.http_caching).
    conditional_writes: bool
    # The version whose shapes this one keeps where it declares none of its own (None: v1's).
    based_on: str | None = None
    # This version's own shapes: v1's serializer -> this version's (`shape_of`).
    shapes: dict[type, type] = field(default_factory=dict, compare=False, repr=False)

    def serializer(self, shape: S) -> S:
        """This version's serializer for what `shape` (a v1 serializer) is in v1: its own, else its base's."""
        if shape in self.shapes:
            return self.shapes[shape]  # type: ignore[return-value]
        return VERSIONS[self.based_on].serializer(shape) if self.based_on else shape

    @property
    def deprecation(self) -> "Deprecation | None":
        return deprecation_of(self.name)


# The versions, oldest first. The last one is the newest; `/api/` without a version is v1 for good
# (RealWorld clients call it: apps.api.middleware.UnversionedApiMiddleware).
VERSIONS: dict[str, ApiVersion] = {
    version.name: version
    for version in (
        ApiVersion(
            name="v1", schema_file="openapi.yaml", cursor_only=False, problem_details=False, conditional_writes=False
        ),
        ApiVersion(
            name="v2", schema_file="openapi.v2.yaml", cursor_only=True, problem_details=True, conditional_writes=True
        ),
    )
}
DEFAULT_VERSION = "v1"
_VERSION_PATH = re.compile(r"^/api/(v[0-9]+)(?:/|$)")


def api_version(request: Any) -> ApiVersion:
    """The version a DRF request was routed to (its URL's `/api/<version>/`); v1 before versioning ran."""
    return VERSIONS.get(getattr(request, "version", None) or "", VERSIONS[DEFAULT_VERSION])


def version_of_path(path: str) -> ApiVersion | None:
    """The version serving `path` (`/api/v2/...`: v2; `/api/...` unversioned: v1); None outside the API or unknown."""
    if not path.startswith("/api/"):
        return None
    match = _VERSION_PATH.match(path)
    if match is None:
        return VERSIONS[DEFAULT_VERSION]
    return VERSIONS.get(match.group(1))


def shape_of(replaced: type, *, version: str) -> Callable[[S], S]:
    """
    Declares the decorated serializer as `version`'s shape for what `replaced` is in v1 (a request's
    parameters or body, a response). Views and the schema pick it through `ApiVersion.serializer`.
    """

    def register(shape: S) -> S:
        VERSIONS[version].shapes[replaced] = shape
        return shape

    return register


# ------------------------------------------------------------------------------
# Deprecation (RFC 9745 Deprecation, RFC 8594 Sunset, the guide as a Link)
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Deprecation:
    """When a version was (or will be) deprecated, when it stops being served, and the migration guide."""

    deprecated_at: datetime | None
    sunset_at: datetime | None
    link: str

    def headers(self) -> list[tuple[str, str]]:
        headers = []
        if self.deprecated_at is not None:
            # RFC 9745: a Structured Field Date, `@` and the Unix time in seconds.
            headers.append(("Deprecation", f"@{int(self.deprecated_at.timestamp())}"))
        if self.sunset_at is not None:
            # RFC 8594: an HTTP-date.
            headers.append(("Sunset", format_datetime(self.sunset_at, usegmt=True)))
        links = []
        if self.link:
            links.append(f'<{self.link}>; rel="deprecation"; type="text/html"')
            if self.sunset_at is not None:
                links.append(f'<{self.link}>; rel="sunset"; type="text/html"')
        if links:
            headers.append(("Link", ", ".join(links)))
        return headers


def parse_date(value: str, *, setting: str) -> datetime | None:
    """`2027-06-01` or an ISO 8601 time with an offset (UTC when none is given); None when empty."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{setting}: {value!r} is not an ISO 8601 date") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@cache
def deprecation_of(version: str) -> Deprecation | None:
    """settings.API_VERSIONS[version]'s deprecation; None while it has neither a deprecation nor a sunset date."""
    declared = settings.API_VERSIONS.get(version, {})
    deprecation = Deprecation(
        deprecated_at=parse_date(declared.get("DEPRECATION", ""), setting=f"API_{version.upper()}_DEPRECATION"),
        sunset_at=parse_date(declared.get("SUNSET", ""), setting=f"API_{version.upper()}_SUNSET"),
        link=declared.get("DEPRECATION_LINK", ""),
    )
    if deprecation.deprecated_at is None and deprecation.sunset_at is None:
        return None
    return deprecation


def deprecation_headers(path: str) -> list[tuple[str, str]]:
    """The deprecation headers of every response to `path` (none outside the API or for a current version)."""
    version = version_of_path(path)
    deprecation = version.deprecation if version is not None else None
    return deprecation.headers() if deprecation is not None else []


# Headers `deprecation_headers` may send: a response stored in front of Django has its own replaced
# by the current ones (apps.caching.responses), so a setting changed since is never served stale.
DEPRECATION_HEADER_NAMES = frozenset({"deprecation", "sunset", "link"})


def reset_deprecations() -> None:
    """Forgets the parsed settings (tests change them with override_settings)."""
    deprecation_of.cache_clear()
