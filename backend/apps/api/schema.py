"""drf-spectacular extensions: documents the `Authorization: Token <jwt>` scheme for Swagger's Authorize."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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


def document_write_throttling(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """
    drf-spectacular postprocessing hook: adds the 429 error envelope to every write operation that does
    not list it yet. Found by the API fuzzing: a throttled unfollow answered an undocumented 429.
    """
    too_many = {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        "description": "Too many writes: retry after the `Retry-After` header's seconds.",
    }
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method in WRITE_METHODS:
                operation.setdefault("responses", {}).setdefault("429", too_many)
    return result
