from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder().default  # lazy strings, decimals...: what orjson does not know natively


class JSONRenderer(renderers.JSONRenderer):
    """JSON through orjson (several times faster than the standard library), declared as UTF-8."""

    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_fallback)
