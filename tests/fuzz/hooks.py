"""
schemathesis hooks of `make fuzz` (loaded through SCHEMATHESIS_HOOKS by tests/fuzz/run.sh).

The signed-in pass sends one user's token with every request. A password change revokes every
older token (#9): one generated `PUT /user` with a `password` would turn the rest of the pass into
401s and leave most operations unexplored. So the password is taken out of those bodies here (the
abuse suite, tests/fuzz/abuse.py, changes passwords and checks the revocation on purpose), and
run.sh excludes `POST /user/revoke-tokens` from the signed-in pass for the same reason.

Generated `Idempotency-Key` values repeat (Hypothesis shrinks them to "0"...), so a stateful
sequence can replay the stored response of an article or comment an earlier sequence created and
deleted: correct idempotency, but it reads as "created resource not found". Each request gets a key
of its own here; tests/idempotency covers replays.
"""

import itertools
from typing import Any

import schemathesis

# Deterministic and never repeated within a run (a random UUID would make the seeded run vary).
_keys = (f"fuzz-{number}" for number in itertools.count())


def _is_user_update(context: Any) -> bool:
    operation = context.operation
    return operation is not None and operation.method.upper() == "PUT" and operation.path == "/user"


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    if headers and "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = next(_keys)
    return headers


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    if _is_user_update(context) and isinstance(body, dict) and isinstance(body.get("user"), dict):
        body["user"].pop("password", None)
    return body
