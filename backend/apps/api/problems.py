"""
RFC 9457 problem details: how v2 and later versions render every error (apps.api.versions).

`{"type": <URI of the kind of problem>, "title": <its summary>, "status": <the HTTP status>,
"detail": <this occurrence, in words>, "errors": {field: [message, ...]}}` as
`application/problem+json`. `errors` holds exactly what v1's envelope holds, so a client shows the
messages per field as before; `type` is stable per kind of problem (PROBLEM_TYPES, documented in
docs/api-versions.md), so a client branches on it rather than on the words of `title` or `detail`.
"""

from typing import Any

from django.http import JsonResponse

from apps.api.versions import version_of_path
from apps.core.exceptions import Errors, error_body

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Stable identifiers, not addresses to fetch: RFC 9457 (3.1.1, 4) says clients should not dereference a
# type URI and suggests a `tag:` URI (RFC 4151) for types that are not meant to be fetched. Their
# meanings are listed in docs/api-versions.md; they never change once published.
PROBLEM_TYPE_BASE = "tag:conduit.local,2026:problem:"

# status -> (the kind's name in its type URI, its title)
PROBLEM_TYPES: dict[int, tuple[str, str]] = {
    400: ("malformed-request", "The request could not be read"),
    401: ("unauthenticated", "Authentication is required"),
    403: ("forbidden", "You may not do this"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "No acceptable representation"),
    409: ("conflict", "Conflict with the current state"),
    412: ("precondition-failed", "The resource has changed since you read it"),
    413: ("payload-too-large", "The request body is too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-failed", "The input is not valid"),
    429: ("rate-limited", "Too many requests"),
    500: ("server-error", "Internal server error"),
}
_OTHER = ("error", "Error")


def problem_type(status: int) -> str:
    return PROBLEM_TYPE_BASE + PROBLEM_TYPES.get(status, _OTHER)[0]


def problem_body(status: int, errors: Errors) -> dict[str, Any]:
    """The problem details of an error answered `status` with v1's field `errors`."""
    _, title = PROBLEM_TYPES.get(status, _OTHER)
    detail = "; ".join(f"{field} {message}" for field, messages in errors.items() for message in messages)
    return {"type": problem_type(status), "title": title, "status": status, "detail": detail, "errors": errors}


def error_json_response(path: str, status: int, errors: Errors, **kwargs: Any) -> JsonResponse:
    """An error answered outside DRF (no route, too large, a crash) in the format of the version serving `path`."""
    version = version_of_path(path)
    if version is not None and version.problem_details:
        return JsonResponse(problem_body(status, errors), status=status, content_type=PROBLEM_CONTENT_TYPE, **kwargs)
    return JsonResponse(error_body(errors), status=status, **kwargs)
