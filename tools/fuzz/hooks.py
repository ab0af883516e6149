"""
schemathesis hooks of `make fuzz` (loaded through SCHEMATHESIS_HOOKS by tools/fuzz/run.sh).

Generated `Idempotency-Key` values repeat (Hypothesis shrinks them to "0"...), so a stateful
sequence can replay the stored response of an article or comment an earlier sequence created and
deleted: correct idempotency, but it reads as "created resource not found". Each request gets a key
of its own here; tests/idempotency covers replays. (run.sh also keeps `POST /user/revoke-tokens` out
of the signed-in pass: signing out everywhere would revoke the token the rest of the pass sends.)
v2's `If-Match` values are kept to what HTTP allows in a header (below).
"""

import itertools
import re
from typing import Any

import schemathesis

# Deterministic and never repeated within a run (a random UUID would make the seeded run vary).
_keys = (f"fuzz-{number}" for number in itertools.count())


# What HTTP allows in a header's value (RFC 9110 5.5: visible ASCII, spaces and tabs; obs-text aside).
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e]*")


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    if headers and "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = next(_keys)
    # v2's `If-Match`: a generated value with a control character (DEL...) is refused by the HTTP server
    # itself (uvicorn: 400 "Invalid HTTP request received.", text/plain) before the API sees it, so the
    # API cannot answer it in its format; such values are replaced by a tag that matches nothing.
    if headers and "If-Match" in headers and not _FIELD_VALUE.fullmatch(str(headers["If-Match"])):
        headers["If-Match"] = '"fuzz-not-current"'
    return headers
