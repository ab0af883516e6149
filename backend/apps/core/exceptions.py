"""
Application errors raised by services and selectors.

Each class is declarative (status and default code only, DRF style); the one exception handler
turns them into the RealWorld envelope `{"errors": {field: [message]}}`. `field` names the
resource or input the error is about (`article`, `profile`, `credentials`...).
"""

# The envelope: {"errors": {field: [message, ...]}}.
Errors = dict[str, list[str]]


def error_body(errors: Errors) -> dict[str, Errors]:
    """The RealWorld error envelope (apps.api.exception_handler sends every error in it)."""
    return {"errors": errors}


class ApplicationError(Exception):
    status_code = 400
    default_message = "invalid"

    def __init__(self, field: str, message: str | None = None) -> None:
        self.field = field
        self.message = message or self.default_message
        super().__init__(f"{field}: {self.message}")


class NotFoundError(ApplicationError):
    status_code = 404
    default_message = "not found"


class PermissionDeniedError(ApplicationError):
    status_code = 403
    default_message = "forbidden"


class ConflictError(ApplicationError):
    status_code = 409
    default_message = "has already been taken"


class AuthenticationError(ApplicationError):
    status_code = 401
    default_message = "invalid"


class InvalidError(ApplicationError):
    status_code = 422
    default_message = "is invalid"


class PreconditionFailedError(ApplicationError):
    status_code = 412
    default_message = "does not match the current version: read it again, then retry"
