"""Logs: one JSON object per line in production, with the request id; an access line per request."""

import json
import logging
from typing import Any, cast

import pytest
from django.conf import settings

from apps.core.request_id import RequestIdLogFilter
from tests.helpers import api_url

pytestmark = pytest.mark.django_db


def json_handler() -> logging.Handler:
    """A handler configured as the `json` formatter of LOGGING, writing into a list."""
    from logging.config import DictConfigurator

    config = DictConfigurator(settings.LOGGING)
    formatter = config.configure_formatter(cast(dict[str, Any], settings.LOGGING)["formatters"]["json"])
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(formatter.format(record))  # type: ignore[method-assign]
    handler.addFilter(config.configure_filter(cast(dict[str, Any], settings.LOGGING)["filters"]["request_id"]))
    handler.lines = lines  # type: ignore[attr-defined]
    return handler


def test_production_logs_are_json_by_default():
    # The suite runs with DEBUG off, as production does.
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"


def test_every_request_logs_one_json_access_line_with_its_request_id(api_client):
    handler = json_handler()
    access = logging.getLogger("conduit.access")
    access.addHandler(handler)
    try:
        response = api_client.get(api_url("articles:detail", slug="missing"), HTTP_X_REQUEST_ID="req-42")
    finally:
        access.removeHandler(handler)

    [line] = handler.lines  # type: ignore[attr-defined]
    entry = json.loads(line)
    assert response.status_code == 404
    assert entry["request_id"] == "req-42"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "conduit.access"
    assert entry["message"] == "GET /api/v1/articles/missing 404 " + f"{entry['duration_ms']}ms"
    assert entry["method"] == "GET"
    assert entry["route"] == "/api/articles/{slug}"
    assert entry["status"] == 404
    assert isinstance(entry["duration_ms"], float)
    assert entry["time"].startswith("20")


def test_djangos_own_error_lines_carry_the_request_id(api_client, caplog):
    # django.request logs a 4xx/5xx after the request id middleware has returned.
    with caplog.at_level(logging.WARNING, logger="django.request"):
        api_client.get("/metrics", REMOTE_ADDR="8.8.8.8", HTTP_X_REQUEST_ID="req-43")

    [record] = [record for record in caplog.records if record.name == "django.request"]
    RequestIdLogFilter().filter(record)
    assert record.request_id == "req-43"


def test_successful_probes_are_logged_at_debug_only(api_client, caplog):
    with caplog.at_level(logging.DEBUG, logger="conduit.access"):
        api_client.get("/healthz")
    [record] = [record for record in caplog.records if record.name == "conduit.access"]
    assert record.levelno == logging.DEBUG
