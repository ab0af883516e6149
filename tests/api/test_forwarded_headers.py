"""
Forwarded headers through the real HTTP stack: uvicorn started with the Makefile's own options, as
`make run` starts it, on a fresh SQLite file. With NUM_PROXIES=0 the client is the TCP peer, whatever
X-Forwarded-For says, so a client cannot pick the address that the per-address limits count.
Ref: #9 (uvicorn believed X-Forwarded-For from 127.0.0.1 by default).
"""

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import api_url

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "backend"
SIGNUP_LIMIT = 3


def makefile_uvicorn_options() -> list[str]:
    """The options `make run` gives uvicorn (the Makefile's UVICORN_OPTIONS)."""
    match = re.search(r"^UVICORN_OPTIONS\s*:?=\s*(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, "the Makefile defines UVICORN_OPTIONS"
    return shlex.split(match.group(1))


def request(
    url: str, *, body: dict | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """uvicorn on a free loopback port (port 0, read back from its log); yields its base URL."""
    folder = tmp_path_factory.mktemp("forwarded")
    own = (
        "DJANGO_",
        "DATABASE_",
        "REDIS_",
        "CELERY_",
        "NUM_PROXIES",
        "THROTTLE_RATE_",
        "FORWARDED_ALLOW_IPS",
        "UVICORN_",
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(own)}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DJANGO_READ_DOT_ENV="false",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        THROTTLE_RATE_SIGNUPS_IP=f"{SIGNUP_LIMIT}/h",
        PYTHONUNBUFFERED="1",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BACKEND, env=env, check=True)
    log_path = folder / "uvicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "uvicorn"),
                "config.asgi:application",
                *makefile_uvicorn_options(),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--workers",
                "1",
            ],
            cwd=BACKEND,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not (found := re.search(r"running on (http://127\.0\.0\.1:\d+)", log_path.read_text())):
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "uvicorn did not start:\n" + log_path.read_text()
            time.sleep(0.1)
        yield found.group(1)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_spoofed_x_forwarded_for_does_not_escape_the_per_address_sign_up_limit(server: str) -> None:
    """Every sign-up comes from 127.0.0.1 under a new X-Forwarded-For: they all count against 127.0.0.1."""
    statuses = []
    for number in range(SIGNUP_LIMIT + 2):
        name = f"spoof{number}{secrets.token_hex(3)}"
        status, _, _ = request(
            server + api_url("users:register"),
            body={"user": {"username": name, "email": f"{name}@example.com", "password": "a-long-password-1"}},
            headers={"X-Forwarded-For": f"203.0.113.{number + 1}", "X-Real-IP": f"198.51.100.{number + 1}"},
        )
        statuses.append(status)
    assert statuses == [201] * SIGNUP_LIMIT + [429, 429], statuses
