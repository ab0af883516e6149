"""
The API's JSON parser: orjson, with a nesting limit.

DRF's JSONParser decodes with the standard library, which recurses once per level: a body of
100,000 `[` exhausted the stack and answered 500 (#9). orjson decodes without Python recursion and
refuses more than 1,024 levels on its own, but a body 300 levels deep would still reach code that
walks it recursively (serializers, the error formatter, orjson.dumps in the idempotency
fingerprint, which stops at 254). Our bodies need 3 levels (`{"article": {"tagList": [...]}}`), so
anything deeper than MAX_JSON_DEPTH is refused here with a 422, before any of that sees it.
"""

import codecs
from typing import IO, Any

import orjson
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, get_encoding  # type: ignore[attr-defined]  # newer than the stubs

from apps.api.renderers import JSONRenderer

MAX_JSON_DEPTH = 32


class JSONNestingError(ParseError):
    """A body nested deeper than MAX_JSON_DEPTH (its message is written for clients)."""

    default_detail = f"is nested too deeply (at most {MAX_JSON_DEPTH} levels of arrays and objects)"
    default_code = "too_deep"


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` (parsed JSON) nests arrays and objects more than `limit` deep; iterative, no recursion."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(BaseParser):
    """`application/json` bodies, at most MAX_JSON_DEPTH levels deep; NaN and Infinity are refused (strict JSON)."""

    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = get_encoding(parser_context or {})
        try:
            body = stream.read()
            data = orjson.loads(body if codecs.lookup(encoding).name == "utf-8" else body.decode(encoding))
        except orjson.JSONDecodeError as exc:
            if str(exc).startswith("depth limit exceeded"):  # orjson's own limit, 1,024 levels
                raise JSONNestingError() from None
            raise ParseError(f"JSON parse error - {exc}") from None
        except ValueError as exc:  # a body that is not in its declared charset
            raise ParseError(f"JSON parse error - {exc}") from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise JSONNestingError()
        return data
