from rest_framework_simplejwt.authentication import JWTAuthentication


class TokenAuthentication(JWTAuthentication):
    """
    Stateless JWT auth from `Authorization: Token <jwt>` (or `Bearer <jwt>`).

    Its `authenticate_header` (inherited) makes DRF answer 401, not 403, to anonymous requests
    on protected routes. No server-side session: any instance can serve any request.
    """
