"""
Request ids: one id follows a request into every log line it causes, its own and its tasks'.

The id comes from the client's (or the proxy's) `X-Request-ID` header when it is a plain token, or is
generated. It lives in a context variable for the duration of the request; the outbox stores it with
every task the request enqueues, the relay sends it as a message header, and the task base class
(config.celery) puts it back into the context variable while the task runs. `RequestIdLogFilter`
writes it into every log record as `request_id`.

This module imports nothing from Django's models: config.celery loads it before Django is set up.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# What a client may choose as an id: a short plain token, so that it cannot forge log lines.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_get() -> str | None:
    """The id of the request (or of the request behind the task) being handled; None outside both."""
    return _request_id.get()


def request_id_set(value: str | None) -> Token[str | None]:
    """Binds `value` to the current context; pass the token to `request_id_reset` to restore the previous one."""
    return _request_id.set(value)


def request_id_reset(token: Token[str | None]) -> None:
    _request_id.reset(token)


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_from_header(value: str | None) -> str:
    """The client's id when it is a plain token of at most 128 characters, else a new one."""
    if value and _VALID_REQUEST_ID.match(value):
        return value
    return request_id_new()


class RequestIdMiddleware:
    """Reads (or makes up) the request's id, binds it for the request and returns it in `X-Request-ID`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        # Also on the request: Django logs a 4xx/5xx (django.request) after this middleware has returned.
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` ("-" when there is none) to every record, for the `%(request_id)s` format field."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request = getattr(record, "request", None)
            record.request_id = request_id_get() or getattr(request, "request_id", None) or "-"
        return True
