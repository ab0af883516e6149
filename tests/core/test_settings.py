"""Production mode: refuses a missing or weak secret, and passes Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parents[2] / "backend"
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
