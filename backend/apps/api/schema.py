"""
drf-spectacular extensions: the schema of each API version (apps.api.versions), and the
`Authorization: Token <jwt>` scheme for Swagger's Authorize.

`make schema` generates one file per version (`spectacular --api-version v2` for openapi.v2.yaml):
`VersionedAutoSchema` documents each operation with the version's shapes, and the postprocessing
hooks below give each version its own title, servers and error media type.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from apps.api.problems import PROBLEM_CONTENT_TYPE, PROBLEM_TYPES
from apps.api.versions import DEFAULT_VERSION, VERSIONS, ApiVersion


class VersionedAutoSchema(AutoSchema):
    """Documents an operation with the shapes of the version being generated (`ApiVersion.serializer`)."""

    def _version(self) -> ApiVersion:
        return VERSIONS.get(getattr(self.view.request, "version", None) or DEFAULT_VERSION, VERSIONS[DEFAULT_VERSION])

    def _process_override_parameters(self, direction: str = "request") -> Any:
        # The parameters come from @extend_schema's subclass of this class (it overrides
        # get_override_parameters), so the version's shapes are swapped in where they are read.
        declared = self.get_override_parameters
        version = self._version()
        self.get_override_parameters = lambda: [  # type: ignore[method-assign]
            version.serializer(parameter) if isinstance(parameter, type) else parameter for parameter in declared()
        ]
        try:
            return super()._process_override_parameters(direction)
        finally:
            del self.get_override_parameters

    def _get_response_for_code(
        self, serializer: Any, status_code: str, media_types: Any = None, direction: str = "response"
    ) -> Any:
        version = self._version()
        if isinstance(serializer, type):
            serializer = version.serializer(serializer)
        if version.problem_details and status_code >= "400":
            media_types = [PROBLEM_CONTENT_TYPE]
        return super()._get_response_for_code(serializer, status_code, media_types, direction)


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.users.authentication.TokenAuthentication"
    name = "Token"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'The JWT from login or registration, as "Token <jwt>" ("Bearer <jwt>" works too).',
        }


# Every write by a signed-in user counts against the per-user write limit (apps.api.throttling.UserWriteThrottle,
# the default throttle of every API view), so any write may be answered 429.
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _generated_version(generator: Any) -> ApiVersion:
    return VERSIONS.get(generator.api_version or DEFAULT_VERSION, VERSIONS[DEFAULT_VERSION])


def _error_content(version: ApiVersion) -> dict[str, Any]:
    if version.problem_details:
        return {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def document_write_throttling(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """
    drf-spectacular postprocessing hook: adds the 429 error to every write operation that does not
    list it yet (found by the API fuzzing: a throttled unfollow answered an undocumented 429), and to
    every operation that searches (a `q` parameter: its new searches are throttled).
    """
    too_many = {
        "content": _error_content(_generated_version(generator)),
        "description": "Too many writes: retry after the `Retry-After` header's seconds.",
    }
    too_many_searches = {
        "content": too_many["content"],
        "description": (
            "Too many new searches (texts not searched lately): retry after the `Retry-After` header's seconds."
        ),
    }
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method in WRITE_METHODS:
                operation.setdefault("responses", {}).setdefault("429", too_many)
            elif any(parameter.get("name") == "q" for parameter in operation.get("parameters", [])):
                # A search (v2's article list): apps.api.throttling.NewSearchThrottle.
                operation.setdefault("responses", {}).setdefault("429", too_many_searches)
    return result


# What a later version says about itself in its schema (v1's comes from SPECTACULAR_SETTINGS, unchanged).
VERSION_INFO: dict[str, dict[str, str]] = {
    "v2": {
        "version": "2.0.0",
        "description": (
            "Conduit API v2: the resources of v1 at /api/v2/, served by the same code, with cursor pagination "
            "(`nextCursor`, `links.next`; `articlesCount` only where it is exact and cheap), errors as RFC 9457 "
            "problem details (application/problem+json), ETags with `If-Match` on `PUT /articles/{slug}` and "
            "`PUT /user` (412 on a lost update), and full-text search (`GET /articles?q=`). Every difference "
            "from v1, and why: docs/api-versions.md. "
            'Authenticate with the header "Authorization: Token <jwt>" (the token comes back from '
            "login and registration)."
        ),
    },
}


def document_version(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """
    drf-spectacular postprocessing hook: a later version's info and server, the statuses every one of
    its operations may answer (400 for a body that is not JSON, 412 for a stale `If-Match`), and its
    problem types. v1's schema is left as it was.
    """
    version = _generated_version(generator)
    if version.name == DEFAULT_VERSION:
        return result
    result["info"].update(VERSION_INFO.get(version.name, {}))
    result["servers"] = [{"url": f"/api/{version.name}", "description": f"API {version.name}"}]
    malformed = {"content": _error_content(version), "description": "The body is not valid JSON."}
    precondition = {
        "content": _error_content(version),
        "description": "`If-Match` does not name the current ETag: the resource changed since it was read.",
    }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if path in REPRESENTATION_ETAG_PATHS:
                for status in ("200", "201"):
                    if status in responses:
                        responses[status].setdefault("headers", {})["ETag"] = ETAG_HEADER
            if "requestBody" in operation:
                responses.setdefault("400", malformed)
            if method == "put" and path in CONDITIONAL_PATHS:
                responses.setdefault("412", precondition)
                operation.setdefault("parameters", []).append(IF_MATCH_PARAMETER)
            operation["responses"] = dict(sorted(responses.items()))
    problem = result.get("components", {}).get("schemas", {}).get("Problem")
    if problem is not None:
        kinds = ", ".join(f"`{kind}` ({status})" for status, (kind, _) in sorted(PROBLEM_TYPES.items()))
        problem["description"] += f" The kinds (the end of `type`): {kinds}."
    return result


CONDITIONAL_PATHS = {"/articles/{slug}", "/user"}
# The operations whose views set `representation_etags` (an article, a profile, the user).
REPRESENTATION_ETAG_PATHS = {
    "/articles/{slug}",
    "/articles/{slug}/favorite",
    "/profiles/{username}",
    "/profiles/{username}/follow",
    "/user",
    "/users",
    "/users/login",
}
ETAG_HEADER = {
    "schema": {"type": "string"},
    "description": "A strong ETag of this representation (the user's token left out): send it as `If-Match`.",
}
IF_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-Match",
    "schema": {"type": "string"},
    "description": (
        "The ETag of the representation this change is based on (from a GET or the previous write): the "
        "write is made only if it is still current, else 412. `*` or none: unconditional."
    ),
}
