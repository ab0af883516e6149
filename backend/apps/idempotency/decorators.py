"""
`@idempotent`: honours the `Idempotency-Key` header on a create endpoint.

A client (or a balancer) may resend a create request with the same key: the first response is
returned again, status and body, with `Idempotent-Replayed: true`, and nothing is created twice.
The key is scoped per user for signed-in requests and per route for sign-up; the same key with a
different request is a 422, and keys expire after IDEMPOTENCY_KEY_TTL_HOURS. Only successful
responses are kept: a failed request leaves nothing behind (its transaction rolls back, key
included), so its retry runs afresh. See apps.idempotency.services for the concurrency contract.
"""

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

import orjson
from django.http.request import RawPostDataException
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.renderers import JSONRenderer
from apps.api.views import DeferredResponse
from apps.core.exceptions import InvalidError
from apps.idempotency.services import FIELD, idempotency_key_claim, idempotency_key_complete, idempotency_key_release

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Visible ASCII, as in the IETF draft's examples (UUIDs, random tokens).
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes a retry safe: a request repeated with the same key (1 to 255 visible ASCII characters, e.g. a "
        "UUID) within 24 hours gets the first response again, with the header `Idempotent-Replayed: true`, "
        "and creates nothing twice. The same key with a different request is refused (422)."
    ),
)

Handler = Callable[..., Response]
# Turns the response data into what is stored, and the stored data back into what is replayed.
Transform = Callable[[Any], Any]


def idempotent(
    handler: Handler | None = None, *, store: Transform | None = None, replay: Transform | None = None
) -> Any:
    """
    Wraps an API view's create handler (it runs after authentication, inside the write's transaction).

    `store` and `replay` keep secrets out of the table: sign-up stores its response without the JWT
    and issues a fresh one on replay, so a copy of the database holds no usable token.
    """
    if handler is None:
        return functools.partial(idempotent, store=store, replay=replay)

    @functools.wraps(handler)
    def wrapper(view: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not _VALID_KEY.match(key):
            raise InvalidError(FIELD, "must be 1 to 255 visible ASCII characters")
        record, claimed = idempotency_key_claim(scope=_scope(request), key=key, fingerprint=_fingerprint(request))
        if not claimed:
            body = replay(record.response_body) if replay else record.response_body
            return Response(body, status=record.status_code, headers={REPLAYED_HEADER: "true"})
        response = handler(view, request, *args, **kwargs)
        if isinstance(response, DeferredResponse):
            response = response.build()  # the stored response must be written in the same transaction
        if 200 <= response.status_code < 300:
            body = _json(response.data)
            stored = store(body) if store else body
            idempotency_key_complete(record=record, status_code=response.status_code, body=stored)
        else:
            idempotency_key_release(record=record)
        return response

    return wrapper


def _scope(request: Request) -> str:
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    route = request.resolver_match.view_name if request.resolver_match else request.path_info
    return f"anonymous:{route}"


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path_info}\n".encode())
    try:
        # The raw body, read before the handler parses it (DRF then parses the buffered copy).
        digest.update(request.body)
    except RawPostDataException:
        # Something (a throttle) parsed the body first: its parsed form stands in for it.
        digest.update(orjson.dumps(request.data, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


def _json(data: Any) -> Any:
    """The response data as JSON values, exactly as it was sent (dates already formatted, etc.)."""
    return orjson.loads(JSONRenderer().render(data)) if data is not None else None
