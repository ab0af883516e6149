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
