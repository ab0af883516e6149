from typing import Any

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from apps.routing.router import pin_primary, replicas_enabled, use_primary
from apps.users.services import TOKEN_VERSION_CLAIM


class TokenAuthentication(JWTAuthentication):
    """
    Stateless JWT auth from `Authorization: Token <jwt>` (or `Bearer <jwt>`).

    Its `authenticate_header` (inherited) makes DRF answer 401, not 403, to anonymous requests
    on protected routes. No server-side session: any instance can serve any request. A token
    whose version is older than its user's (a password change, "sign out everywhere") is refused,
    but for the one that changed the password: the check costs nothing, as the user row is loaded
    anyway.
    """

    def get_user(self, validated_token: Token) -> Any:
        user = self._get_user(validated_token)
        # Tokens issued before versions existed carry none: they count as version 0.
        version = validated_token.get(TOKEN_VERSION_CLAIM, 0)
        if version > user.token_version and replicas_enabled():
            # A token newer than the row: the replica has not seen the password change yet.
            pin_primary()
            with use_primary():
                user = super().get_user(validated_token)
        if version != user.token_version and not self._kept(validated_token, user):
            raise AuthenticationFailed("Token has been revoked", code="token_revoked")
        return user

    @staticmethod
    def _kept(validated_token: Token, user: Any) -> bool:
        """The token that changed the password last stays valid (apps.users.services.user_update)."""
        return bool(user.token_kept_jti) and validated_token.get(api_settings.JTI_CLAIM) == user.token_kept_jti

    def _get_user(self, validated_token: Token) -> Any:
        try:
            return super().get_user(validated_token)
        except AuthenticationFailed as exc:
            # With read replicas, a user who signed up moments ago may not have reached the replica
            # yet: look again on the primary, and serve the rest of the request from it.
            code = exc.detail.get("code") if isinstance(exc.detail, dict) else None
            if not replicas_enabled() or code != "user_not_found":
                raise
            pin_primary()
            with use_primary():
                return super().get_user(validated_token)
