"""
schemathesis hooks of `make fuzz` (loaded through SCHEMATHESIS_HOOKS by tools/fuzz/run.sh).

Generated `Idempotency-Key` values repeat (Hypothesis shrinks them to "0"...), so a stateful
sequence can replay the stored response of an article or comment an earlier sequence created and
deleted: correct idempotency, but it reads as "created resource not found". Each request gets a key
of its own here; tests/idempotency covers replays. (run.sh also keeps `POST /user/revoke-tokens` out
of the signed-in pass: signing out everywhere would revoke the token the rest of the pass sends.)
"""

import itertools
from typing import Any

import schemathesis

# Deterministic and never repeated within a run (a random UUID would make the seeded run vary).
_keys = (f"fuzz-{number}" for number in itertools.count())


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    if headers and "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = next(_keys)
    return headers
