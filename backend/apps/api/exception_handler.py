"""
The one exception handler: every error of every route leaves as `{"errors": {field: [message]}}`.

Status codes and messages follow the RealWorld contract: 422 for invalid input (with "can't be
blank" for missing, blank or null fields), 401 for a missing or bad token, 403/404/409 from the
application errors that services raise, 429 `throttle` "Too many requests; retry in N seconds."
(with Retry-After) from the rate limits.

v2 and later versions (apps.api.versions) send the same field errors as RFC 9457 problem details
(apps.api.problems), and a body that is not JSON as 400, the status HTTP gives it (v1 keeps
RealWorld's 422).
"""

import logging
import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from apps.api.parsers import JSONNestingError
from apps.api.problems import PROBLEM_CONTENT_TYPE, problem_body
from apps.api.versions import api_version
from apps.core.exceptions import ApplicationError, Errors, error_body

logger = logging.getLogger(__name__)

BLANK_MESSAGE = "can't be blank"
_BLANK_CODES = {"required", "blank", "null"}
# The key for errors about the request as a whole (its JSON, its content type...).
REQUEST_FIELD = "request"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    status_code, errors = _describe(exc)
    if status_code is None:
        return None  # a bug: Django logs it and answers 500 through config.urls.handler500
    # A failed write's transaction is rolled back already: the exception left it (ApiView).
    if api_version(context.get("request")).problem_details:
        if isinstance(exc, exceptions.ParseError):
            status_code = status.HTTP_400_BAD_REQUEST
        response = Response(problem_body(status_code, errors), status=status_code, content_type=PROBLEM_CONTENT_TYPE)
    else:
        response = Response(error_body(errors), status=status_code)
    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            response["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
        if getattr(exc, "wait", None):
            response["Retry-After"] = str(math.ceil(exc.wait))  # type: ignore[attr-defined]
    return response


def _describe(exc: Exception) -> tuple[int | None, Errors]:
    if isinstance(exc, ApplicationError):
        return exc.status_code, {exc.field: [exc.message]}
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, exceptions.ValidationError):
        return status.HTTP_422_UNPROCESSABLE_ENTITY, _flatten(exc.detail, REQUEST_FIELD)
    if isinstance(exc, exceptions.NotAuthenticated):
        return status.HTTP_401_UNAUTHORIZED, {"token": ["is missing"]}
    if isinstance(exc, exceptions.AuthenticationFailed):
        return status.HTTP_401_UNAUTHORIZED, {"token": ["is invalid"]}
    if isinstance(exc, exceptions.ParseError):
        # DRF's parse errors quote the decoder; the nesting limit's message is written for clients.
        message = str(exc.detail) if isinstance(exc, JSONNestingError) else "is not valid JSON"
        return status.HTTP_422_UNPROCESSABLE_ENTITY, {REQUEST_FIELD: [message]}
    if isinstance(exc, Http404 | exceptions.NotFound):
        return status.HTTP_404_NOT_FOUND, {"resource": ["not found"]}
    if isinstance(exc, DjangoPermissionDenied | exceptions.PermissionDenied):
        return status.HTTP_403_FORBIDDEN, {"permission": ["forbidden"]}
    if isinstance(exc, exceptions.Throttled):
        wait: float | None = getattr(exc, "wait", None)
        retry = f"retry in {math.ceil(wait)} seconds" if wait is not None else "retry later"
        return exc.status_code, {"throttle": [f"Too many requests; {retry}."]}
    if isinstance(exc, exceptions.MethodNotAllowed):
        return exc.status_code, {"method": [str(exc.detail)]}
    if isinstance(exc, exceptions.APIException):
        return exc.status_code, {REQUEST_FIELD: [str(exc.detail)]}
    return None, {}


def _flatten(detail: Any, field: str) -> Errors:
    """
    Turns DRF's nested error detail into RealWorld's flat `{field: [message]}`.

    Request bodies are wrapped (`{"user": {"email": ...}}`), so nested errors are reported under the
    innermost field name; list items and `non_field_errors` report under their parent's name.
    """
    errors: Errors = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = field if str(key).isdigit() or key == "non_field_errors" else str(key)
            _merge(errors, _flatten(value, name))
    elif isinstance(detail, list):
        for item in detail:
            _merge(errors, _flatten(item, field))
    else:
        code = getattr(detail, "code", None)
        errors[field] = [BLANK_MESSAGE if code in _BLANK_CODES else str(detail)]
    return errors


def _merge(into: Errors, errors: Errors) -> None:
    for name, messages in errors.items():
        into.setdefault(name, []).extend(m for m in messages if m not in into.get(name, []))
