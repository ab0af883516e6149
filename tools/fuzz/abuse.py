"""
The abuse cases of the security review (#9), played against the live fuzzing server over HTTP.

schemathesis (tools/fuzz/run.sh) generates requests from the schema; an attacker does not stop at
the schema. This suite sends what the review found, on every operation it applies to, and checks
that each is refused with a 4xx in the error envelope (never a 5xx: run.sh also greps the server
log) and that nothing is written or signed in that should not be:

- replayed sign-up keys across accounts, after a password change, of a deleted account;
- deep JSON nesting and malformed JSON on every write, the login's throttle included;
- oversized fields on every stored text, deep offsets, unknown query parameters;
- stale, forged and revoked tokens on public reads (anonymous view) and on protected operations (401);
- spoofed forwarding headers choosing the rate-limit key.

Usage: python tools/fuzz/abuse.py http://127.0.0.1:PORT  (exit status 1 on any failure)
"""

import json
import os
import secrets
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

BASE = sys.argv[1].rstrip("/") + "/api/v1" if len(sys.argv) > 1 else ""
FAILURES: list[str] = []
CASES = 0


class Reply:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def call(
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = None,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(
        BASE + path,
        data=data,
        method=method,
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Token {token}"} if token else {}),
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read())


def check(name: str, condition: bool, detail: object = "") -> None:
    global CASES
    CASES += 1
    if not condition:
        FAILURES.append(f"{name}: {detail}")


def refused(name: str, reply: Reply, *statuses: int) -> None:
    """A 4xx (one of `statuses` if given) in the error envelope."""
    body = reply.json() if reply.body.startswith(b"{") else None
    ok = 400 <= reply.status < 500 and (not statuses or reply.status in statuses)
    check(
        name, ok and isinstance(body, dict) and isinstance(body.get("errors"), dict), (reply.status, reply.body[:200])
    )


def sign_up(name: str, *, key: str | None = None, email: str | None = None) -> Reply:
    body = {"user": {"username": name, "email": email or f"{name}@example.com", "password": "password-123"}}
    return call("POST", "/users", body, headers={"Idempotency-Key": key} if key else None)


def unique(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(4)}"


# ------------------------------------------------------------------------------
# The cases
# ------------------------------------------------------------------------------
def replayed_sign_ups() -> None:
    key, attacker, victim = unique("k-"), unique("att"), unique("vic")
    victim_email = f"{victim}@example.com"
    first = sign_up(attacker, key=key, email=victim_email)
    check("sign-up with a key", first.status == 201, first.status)
    token = first.json()["user"]["token"]
    moved = call("PUT", "/user", {"user": {"email": f"{attacker}@example.com"}}, token=token)
    check("attacker moves to another e-mail", moved.status == 200, moved.status)
    check("victim signs up", sign_up(victim, email=victim_email).status == 201)
    replay = sign_up(attacker, key=key, email=victim_email)
    refused("replay after the account changed", replay, 409)
    check("replay carries no token", b"token" not in replay.body, replay.body[:200])

    key, name = unique("k-"), unique("pw")
    token = sign_up(name, key=key).json()["user"]["token"]
    call("PUT", "/user", {"user": {"password": "another-password-1"}}, token=token)
    refused("replay after a password change", sign_up(name, key=key), 409)


def nesting_and_malformed_bodies(token: str, slug: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    writes = [
        ("POST", "/users", None),
        ("POST", "/users/login", None),
        ("PUT", "/user", token),
        ("POST", "/articles", token),
        ("PUT", f"/articles/{slug}", token),
        ("POST", f"/articles/{slug}/comments", token),
    ]
    for method, path, auth in writes:
        for name, raw in (
            ("deep nesting", deep.encode()),
            ("nested in a field", b'{"user": ' + b'{"a":' * 5000 + b"1" + b"}" * 5001),
            ("malformed JSON", b'{"user": {"email": "x@example.com", "password": '),
            ("not UTF-8", b'{"user": "\xff\xfe"}'),
        ):
            refused(f"{name} on {method} {path}", call(method, path, raw=raw, token=auth))


def oversized_fields(token: str, slug: str) -> None:
    big = "x" * 200_000
    cases = [
        ("PUT", "/user", {"user": {"bio": big}}),
        ("PUT", "/user", {"user": {"image": "https://example.com/" + big[:5000]}}),
        ("PUT", "/user", {"user": {"image": "javascript:alert(1)"}}),
        ("PUT", "/user", {"user": {"username": "x" * 1000}}),
        ("POST", "/articles", {"article": {"title": big, "description": "d", "body": "b"}}),
        ("POST", "/articles", {"article": {"title": "t", "description": big, "body": "b"}}),
        ("POST", "/articles", {"article": {"title": "t", "description": "d", "body": big * 3}}),
        (
            "POST",
            "/articles",
            {"article": {"title": "t", "description": "d", "body": "b", "tagList": [f"t{n}" for n in range(1000)]}},
        ),
        ("POST", f"/articles/{slug}/comments", {"comment": {"body": big}}),
    ]
    for method, path, body in cases:
        refused(f"oversized field on {method} {path}", call(method, path, body, token=token), 413, 422)


def deep_offsets_and_odd_queries() -> None:
    for path in (
        "/articles?offset=10000",
        "/articles?offset=2147483647",
        "/articles?limit=1&offset=99999999999999999999",
    ):
        refused(f"deep offset {path}", call("GET", path), 422)
    plain = call("GET", "/articles?limit=3")
    for junk in ("&r=1", "&r=2&utm_source=x", "&format=json"):
        reply = call("GET", "/articles?limit=3" + junk)
        check(
            f"unknown parameter {junk} changes nothing", reply.status == 200 and reply.body == plain.body, reply.status
        )


def stale_and_forged_tokens(token: str, slug: str, username: str) -> None:
    revoked = sign_up(unique("rev")).json()["user"]["token"]
    check("sign out everywhere", call("POST", "/user/revoke-tokens", token=revoked).status == 204)
    header, payload, signature = token.split(".")
    for label, bad in (
        ("garbage", "garbage"),
        ("forged", f"{header}.{payload}.{signature[::-1]}"),
        ("revoked", revoked),
    ):
        for path in ("/articles", f"/articles/{slug}", f"/articles/{slug}/comments", f"/profiles/{username}", "/tags"):
            reply = call("GET", path, token=bad)
            check(
                f"{label} token on GET {path} reads as anonymous", reply.status == 200, (reply.status, reply.body[:100])
            )
            check(
                f"{label} token on GET {path} is challenged",
                reply.headers.get("WWW-Authenticate") == 'Token error="invalid_token"',
                reply.headers.get("WWW-Authenticate"),
            )
        for method, path in (("GET", "/user"), ("GET", "/articles/feed"), ("POST", f"/articles/{slug}/favorite")):
            refused(f"{label} token on {method} {path}", call(method, path, token=bad), 401)


def spoofed_forwarding_headers() -> None:
    # run.sh leaves the (e-mail, address) login limit at its default: whatever address the headers
    # claim, the guesses are the TCP peer's, and its pair limit holds.
    limit = int(os.environ.get("THROTTLE_RATE_LOGIN_FAILURES_PAIR", "10/15m").split("/")[0])
    email = f"{unique('spoof')}@example.com"
    statuses = []
    for number in range(limit + 2):
        spoof = f"203.0.113.{number}"
        headers = {
            "X-Forwarded-For": spoof,
            "Forwarded": f"for={spoof}",
            "X-Real-IP": spoof,
            "X-Forwarded-Proto": "https",
        }
        reply = call("POST", "/users/login", {"user": {"email": email, "password": "wrong-password"}}, headers=headers)
        statuses.append(reply.status)
    check("spoofed forwarding headers do not reset the login limit", statuses == [401] * limit + [429, 429], statuses)


def main() -> int:
    if not BASE:
        sys.exit(__doc__)
    name = unique("abuser")
    token = sign_up(name).json()["user"]["token"]
    article = call(
        "POST", "/articles", {"article": {"title": unique("Abuse "), "description": "d", "body": "b"}}, token=token
    )
    slug = article.json()["article"]["slug"]
    cases: list[Callable[[], None]] = [
        replayed_sign_ups,
        lambda: nesting_and_malformed_bodies(token, slug),
        lambda: oversized_fields(token, slug),
        deep_offsets_and_odd_queries,
        lambda: stale_and_forged_tokens(token, slug, name),
        spoofed_forwarding_headers,
    ]
    for case in cases:
        case()
    print(f"abuse cases: {CASES} checks, {len(FAILURES)} failed")
    for failure in FAILURES:
        print(f"  FAIL {failure}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
