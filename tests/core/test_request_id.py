import logging

import pytest

from apps.core.request_id import (
    RequestIdLogFilter,
    request_id_from_header,
    request_id_get,
    request_id_reset,
    request_id_set,
)
from config.celery import app as celery_app
from tests.helpers import api_url

pytestmark = pytest.mark.django_db


def test_every_response_carries_a_generated_request_id(api_client):
    first = api_client.get(api_url("tags:list"))["X-Request-ID"]
    second = api_client.get(api_url("tags:list"))["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_a_plain_client_request_id_is_kept(api_client):
    response = api_client.get(api_url("tags:list"), HTTP_X_REQUEST_ID="edge-4f2a:17")
    assert response["X-Request-ID"] == "edge-4f2a:17"


@pytest.mark.parametrize("value", ["", "x" * 129, "a b", "line\nbreak", "<script>"])
def test_an_unsafe_client_request_id_is_replaced(value):
    assert request_id_from_header(value) != value
    assert len(request_id_from_header(value)) == 32


def test_log_records_carry_the_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
    RequestIdLogFilter().filter(record)
    assert record.request_id == "-"
    token = request_id_set("req-1")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
        RequestIdLogFilter().filter(record)
    finally:
        request_id_reset(token)
    assert record.request_id == "req-1"


def test_a_task_runs_with_the_request_id_of_its_message():
    @celery_app.task(name="tests.core.request_id_seen")
    def request_id_seen() -> str | None:
        return request_id_get()

    assert request_id_seen.apply(headers={"request_id": "req-2"}).get() == "req-2"
    assert request_id_get() is None  # unbound after the task
    assert len(request_id_seen.apply().get()) == 32  # none given: a fresh one
