"""Production mode: refuses a missing or weak secret, and passes Django's deployment checklist."""

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BACKEND_DIR = ROOT / "backend"
STRONG_KEY = "k" * 20 + "-production-like-secret-key-0123456789abcdef"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean_env.update(DJANGO_READ_DOT_ENV="false", DJANGO_SETTINGS_MODULE="config.settings.base", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BACKEND_DIR, env=clean_env, capture_output=True, text=True
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_mode_refuses_a_weak_secret_key():
    result = manage("check", DJANGO_SECRET_KEY="django-insecure-short")
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_production_mode_passes_the_deployment_checklist():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY=STRONG_KEY, DJANGO_ALLOWED_HOSTS="x.io"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# ------------------------------------------------------------------------------
# The secret key of a development instance (Ref: #9: it was a published constant)
# ------------------------------------------------------------------------------
PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"
# The key this repository once used with DEBUG on: published, so anyone could forge a token with it.
PUBLISHED_KEY = "django-insecure-local-development-only-key-never-use-in-production"


def test_debug_without_a_secret_key_uses_a_random_key_kept_private_in_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "var" / "secret_key"
    first = manage("shell", "-v", "0", "-c", PRINT_KEY, DJANGO_DEBUG="true", DJANGO_SECRET_KEY_FILE=str(key_file))
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert key != PUBLISHED_KEY and len(key) >= 50
    assert key_file.read_text().strip() == key
    assert key_file.stat().st_mode & 0o777 == 0o600
    # A restart (or another worker) signs with the same key; another instance gets its own.
    again = manage("shell", "-v", "0", "-c", PRINT_KEY, DJANGO_DEBUG="true", DJANGO_SECRET_KEY_FILE=str(key_file))
    assert again.stdout.strip() == key
    other = manage(
        "shell", "-v", "0", "-c", PRINT_KEY, DJANGO_DEBUG="true", DJANGO_SECRET_KEY_FILE=str(tmp_path / "other")
    )
    assert other.stdout.strip() not in {key, ""}


def test_concurrent_workers_agree_on_the_development_key(tmp_path: Path) -> None:
    from config.settings.base import _development_secret_key

    key_file = tmp_path / "secret_key"
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: _development_secret_key(key_file), range(32)))
    assert len(keys) == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["secret_key"], "no draft file left behind"


@pytest.mark.parametrize("debug", ["true", "false"])
def test_the_published_development_key_is_refused_with_directions(debug: str) -> None:
    result = manage("check", DJANGO_DEBUG=debug, DJANGO_SECRET_KEY=PUBLISHED_KEY)
    assert result.returncode != 0
    assert "once published in this repository" in result.stderr
    assert "Remove the DJANGO_SECRET_KEY line from .env" in result.stderr


def test_make_writes_a_new_env_with_a_random_private_secret_key(tmp_path: Path) -> None:
    for name in ("Makefile", ".env.example"):
        shutil.copy(ROOT / name, tmp_path / name)
    keys = []
    for _ in range(2):
        (tmp_path / ".env").unlink(missing_ok=True)
        subprocess.run(["make", "-s", ".env"], cwd=tmp_path, check=True, capture_output=True)
        assert (tmp_path / ".env").stat().st_mode & 0o777 == 0o600
        keys += re.findall(r"^DJANGO_SECRET_KEY=(.*)$", (tmp_path / ".env").read_text(), re.MULTILINE)
    assert len(keys) == 2 and keys[0] != keys[1]
    assert all(len(key) >= 50 for key in keys)


def test_no_secret_key_is_published_in_the_example_settings() -> None:
    values = re.findall(
        r"^\s*#?\s*(?:DJANGO_SECRET_KEY|JWT_SIGNING_KEY)=(.*)$", (ROOT / ".env.example").read_text(), re.M
    )
    assert values and all(value == "" for value in values)
    assert (
        PUBLISHED_KEY.removeprefix("django-insecure-")
        not in (BACKEND_DIR / "config" / "settings" / "base.py").read_text()
    )
